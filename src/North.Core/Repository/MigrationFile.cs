using North.Core.Versions;

namespace North.Core.Repository;

/// <summary>
/// One migration: a file directly in a version folder or its <c>manual/</c> subfolder whose name
/// ends in <c>ddl.sql</c> or <c>dml.sql</c>. Its identity is (<see cref="Version"/>, <see cref="Name"/>).
/// </summary>
public sealed record MigrationFile
{
    public required MigrationVersion Version { get; init; }

    /// <summary>The file name, which the history table records.</summary>
    public required string Name { get; init; }

    /// <summary>Full path.</summary>
    public required string Path { get; init; }

    /// <summary>Path relative to the migrations root, with '/' separators (<c>1.0/manual/x-dml.sql</c>).</summary>
    public required string RelativePath { get; init; }

    public required MigrationKind Kind { get; init; }

    /// <summary>In <c>manual/</c>, or a root-folder <c>dml.sql</c> file with a <c>--meta-psql:</c> line.</summary>
    public required bool IsManual { get; init; }

    /// <summary>The file lives in the version's <c>manual/</c> subfolder.</summary>
    public required bool InManualFolder { get; init; }

    public override string ToString() => RelativePath;
}
