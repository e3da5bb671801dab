namespace North.Core.Repository;

/// <summary>Why discovery passed over a file or folder.</summary>
public enum IgnoreReason
{
    /// <summary>A root folder named like a version that does not parse (<c>1.0-rc</c>).</summary>
    UnparsableVersionFolder,

    /// <summary>A version folder that is a symbolic link (django-north skipped these).</summary>
    SymlinkedVersionFolder,

    /// <summary>A root entry named like a version that is not a folder.</summary>
    VersionNamedFile,

    /// <summary>Close to a migration name but not one: <c>-ddl.foo</c>, <c>-dl.sql</c>, <c>DDL.SQL</c>, a <c>.sql</c> without ddl/dml.</summary>
    LookAlikeFile,

    /// <summary>A migration file that is a symbolic link, with <c>IgnoreSymlinks</c> set.</summary>
    SymlinkedFile,

    /// <summary>A subfolder of a version folder other than <c>manual/</c>.</summary>
    UnexpectedFolder,

    /// <summary>Any other file in a version folder (<c>README.md</c>); hidden files are not listed.</summary>
    OtherFile,
}

/// <summary>A file or folder found and not used, with the reason: the repository check reports these.</summary>
public sealed record IgnoredEntry(string Path, string RelativePath, IgnoreReason Reason, string Message);
