using North.Core.Repository;
using North.Core.Versions;

namespace North.Core.Scaffolding;

/// <summary>What New-NorthMigration was asked for.</summary>
/// <param name="Topic">The topic in the file name (<c>add-isbn</c>): letters, digits, <c>-</c> and <c>_</c>.</param>
/// <param name="Kind">Ddl or Dml (a manual migration is always Dml).</param>
/// <param name="Manual">A manual migration in <c>manual/</c>, with a do-until-0 skeleton.</param>
/// <param name="Version">The version folder to write in (default: the latest), or the new version's number with <paramref name="NewVersion"/>.</param>
/// <param name="NewVersion">Create the next version folder (1.3 → 1.4) and write there.</param>
public sealed record NewMigrationRequest(string Topic, MigrationKind Kind = MigrationKind.Ddl, bool Manual = false, MigrationVersion? Version = null, bool NewVersion = false);

/// <summary>One file a scaffold writes.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Content">Its text (written as UTF-8 without BOM, LF line ends).</param>
public sealed record ScaffoldFile(string Path, string Content);

/// <summary>What New-NorthMigration would write: the folder it creates (if any) and the files, the migration last.</summary>
public sealed record ScaffoldPlan(MigrationVersion Version, string? CreatedFolder, IReadOnlyList<ScaffoldFile> Files)
{
    /// <summary>The new migration file.</summary>
    public ScaffoldFile Migration => Files[^1];
}
