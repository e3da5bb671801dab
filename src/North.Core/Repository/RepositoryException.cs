using North.Core.Errors;

namespace North.Core.Repository;

/// <summary>
/// The repository cannot be used as it is: missing root (<c>NorthRepositoryNotFound</c>), two
/// folders with equal versions (<c>NorthDuplicateVersion</c>), one name in a folder and its
/// <c>manual/</c> (<c>NorthDuplicateMigration</c>), no schema to initialize from
/// (<c>NorthSchemaNotFound</c>), a version with no folder (<c>NorthVersionNotFound</c>), an entry
/// of a before/after-schema setting that matches nothing (<c>NorthSchemaFileNotFound</c>), an
/// unreadable file (<c>NorthFileUnreadable</c>). <see cref="NorthException.Target"/> is the path.
/// </summary>
public sealed class RepositoryException : NorthException
{
    public RepositoryException(string message, string errorId, NorthErrorKind kind, string? path, string? recommendedAction = null, Exception? inner = null)
        : base(message, errorId, kind, path, recommendedAction, inner)
    {
        Path = path;
    }

    /// <summary>The file or folder at fault (full path), when there is one.</summary>
    public string? Path { get; }
}
