using System.Management.Automation;
using North.Core.Repository;
using North.Core.Scaffolding;

namespace North.PowerShell.Cmdlets;

/// <summary>Writes the next migration file, named the way the repository already names its files.</summary>
/// <remarks>
/// <para>Reads the names of the version's files and follows them: the version prefix
/// (1.3-add-isbn-ddl.sql), and an order number per topic when the version's files carry one
/// (1.0-author-1-ddl.sql, 1.0-author-2-dml.sql: a new topic gets 1, a topic already there the next
/// number). The file goes in the latest version folder, or the one given with -Version.</para>
/// <para>-NewVersion creates the next version folder (1.3 becomes 1.4, 17.01 becomes 17.02; or the
/// version given with -Version) and, when the previous version has a 0-version file
/// (1.3-0-version-dml.sql), a copy of it with the new version in its name and text. -Manual writes
/// a dml.sql file in manual/ with a do-until-0 block in the bounded-batch form. A DDL file starts
/// with a note on the lock timeout North sets; one whose topic names an index (book-isbn-index),
/// with the CREATE INDEX CONCURRENTLY IF NOT EXISTS form. The statements are comments: an unedited
/// file is valid and changes nothing.</para>
/// <para>Never overwrites a file: a name that exists is an error. Returns the files written (the
/// 0-version copy first, the migration last), as Get-Item does. -WhatIf shows them and writes nothing.</para>
/// </remarks>
/// <example>
/// <code>New-NorthMigration -Path ./sql -Name add-isbn</code>
/// <para>Writes ./sql/1.3/1.3-add-isbn-ddl.sql when 1.3 is the latest version and its files carry no order number.</para>
/// </example>
/// <example>
/// <code>New-NorthMigration -Path ./sql -Name fill-isbn -Manual | ForEach-Object { code $_.FullName }</code>
/// <para>Writes a manual migration with a batch skeleton into the latest version's manual/ folder and opens it in an editor.</para>
/// </example>
/// <example>
/// <code>New-NorthMigration -Path ./sql -Name book-isbn-index -NewVersion -WhatIf</code>
/// <para>Shows the version folder, the 0-version file and the index migration it would create, without writing them.</para>
/// </example>
/// <seealso cref="TestNorthRepositoryCommand"/>
/// <seealso cref="GetNorthStatusCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsCommon.New, "NorthMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class NewNorthMigrationCommand : NorthCmdlet
{
    /// <summary>The topic in the file name (add-isbn): letters, digits, '-' and '_'. A topic naming an index (…-index, …-idx) gets the CONCURRENTLY template.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>Ddl (schema change, the default) or Dml (data change).</summary>
    [Parameter]
    [ValidateSet("Ddl", "Dml")]
    public string Kind { get; set; } = "Ddl";

    /// <summary>A manual migration: a dml.sql file in manual/, with a do-until-0 block that runs in batches until it changes no row.</summary>
    [Parameter]
    public SwitchParameter Manual { get; set; }

    /// <summary>
    /// The version folder to write in (default: the latest). With -NewVersion, the new version's
    /// number (default: the latest plus one). Tab completes the versions under -Path.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.VersionCompleter))]
    public string? Version { get; set; }

    /// <summary>Creates the next version folder (1.3 → 1.4), with a copy of the previous version's 0-version file when it has one.</summary>
    [Parameter]
    public SwitchParameter NewVersion { get; set; }

    private protected override void End()
    {
        var settings = LoadSettings();
        // A manual migration is Dml unless -Kind says otherwise (which the core refuses, saying why).
        var kind = Manual && !MyInvocation.BoundParameters.ContainsKey(nameof(Kind)) ? MigrationKind.Dml : Enum.Parse<MigrationKind>(Kind, ignoreCase: true);
        var request = new NewMigrationRequest(Name, kind, Manual, ParseVersion(Version, nameof(Version)), NewVersion);
        var plan = Run((_, _) => Task.FromResult(MigrationScaffolder.Plan(MigrationRepository.Load(settings, Reporter), request)), settings.MigrationsRoot);

        if (plan.CreatedFolder is not null && !ShouldProcess(plan.CreatedFolder, "Create version folder"))
        {
            foreach (var file in plan.Files)
            {
                ShouldProcess(file.Path, "Create migration file");
            }
            return;
        }
        var accepted = plan.Files.Where(f => ShouldProcess(f.Path, "Create migration file")).ToList();
        if (accepted.Count != plan.Files.Count)
        {
            return;
        }
        var written = Run((_, _) => Task.FromResult(MigrationScaffolder.Write(plan)), plan.Migration.Path);
        foreach (var path in written)
        {
            WriteVerbose($"Wrote {path}.");
            WriteObject(InvokeProvider.Item.Get(path), enumerateCollection: true);
        }
    }
}
