using North.Core.Versions;

namespace North.Core.Repository;

/// <summary>A version folder of the repository and its migrations in run order (ordinal by name).</summary>
public sealed record VersionFolder
{
    public required MigrationVersion Version { get; init; }

    /// <summary>Full path of the folder.</summary>
    public required string Path { get; init; }

    /// <summary>Migrations of the folder and its <c>manual/</c>, ordered by file name, byte-wise.</summary>
    public required IReadOnlyList<MigrationFile> Migrations { get; init; }

    public override string ToString() => Version.Text;
}
