using North.Core.Fleet;
using System.Collections;
using System.Management.Automation;
using North.Core.Schema;
using North.PowerShell.Completion;

namespace North.PowerShell.Cmdlets;

/// <summary>Compares the live schema of a database with what the DBAs' schema snapshot says it should be.</summary>
/// <remarks>
/// <para>Reads both sides from pg_catalog (tables, columns, constraints, indexes, sequences, views,
/// functions, triggers, types, policies, extensions, comments; owners and privileges with
/// -IncludePrivileges) and returns one object per difference: ObjectType, Name, Difference
/// (Missing, Unexpected, Changed), Property, Expected, Actual. With -Quiet it returns only $true
/// when the schemas are identical.</para>
/// <para>By default the expected side is the schema file of the database's current version
/// (schemas/schema_X.sql, with the before- and after-schema files), loaded into a scratch database
/// that North creates on the same server and drops afterwards, whatever happens: the comparison is
/// catalog to catalog, never text to text. -SchemaFile names another file; -ReferenceConnectionString
/// compares with a database that holds the expected schema. -Replay -Version V is the release check:
/// the previous snapshot plus the migrations up to V, against schema_V. The history and version
/// tables are left out.</para>
/// </remarks>
/// <example>
/// <code>Test-NorthSchema -Path ./sql -Database app</code>
/// <para>Lists every difference between the database app and the snapshot of its current version.</para>
/// </example>
/// <example>
/// <code>Test-NorthSchema -Path ./sql -Database app -IgnoreComments | Where-Object Difference -eq Missing</code>
/// <para>Shows only what the snapshot has and the database lacks.</para>
/// </example>
/// <example>
/// <code>if (-not (Test-NorthSchema -Path ./sql -Database ci -Replay -Version 1.3 -Quiet)) { throw 'schema_1.3.sql and the 1.3 migrations disagree' }</code>
/// <para>The CI check of a release: its migrations must produce its snapshot.</para>
/// </example>
/// <seealso cref="InvokeNorthMigrationCommand"/>
/// <seealso href="about_North">about_North</seealso>
[Cmdlet(VerbsDiagnostic.Test, "NorthSchema", DefaultParameterSetName = CurrentSet)]
[OutputType(typeof(SchemaDifference), typeof(bool))]
public sealed class TestNorthSchemaCommand : NorthFleetCmdlet
{
    private protected override bool ChangesDatabases => false;

    private protected override bool NamesTargetInErrors => true;

    private const string CurrentSet = "Current";
    private const string FileSet = "SchemaFile";
    private const string ReferenceSet = "Reference";
    private const string ReplaySet = "Replay";

    /// <summary>A schema file (pg_dump --schema-only output) to compare with, instead of the snapshot of the current version.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FileSet)]
    [ValidateNotNullOrEmpty]
    public string SchemaFile { get; set; } = "";

    /// <summary>A database that holds the expected schema (libpq keyword form, URI or Npgsql form).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ReferenceSet)]
    [ValidateNotNullOrEmpty]
    public string ReferenceConnectionString { get; set; } = "";

    /// <summary>Replays a release in scratch databases: the previous snapshot plus the migrations up to -Version, against that version's snapshot.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ReplaySet)]
    public SwitchParameter Replay { get; set; }

    /// <summary>The version to replay up to (default: the target version).</summary>
    [Parameter(ParameterSetName = ReplaySet)]
    [ArgumentCompleter(typeof(VersionCompleter))]
    public string? Version { get; set; }

    /// <summary>Returns $true when the schemas are identical, $false otherwise, instead of the differences.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Leaves comments (COMMENT ON) out of the comparison.</summary>
    [Parameter]
    public SwitchParameter IgnoreComments { get; set; }

    /// <summary>Compares extensions by name and schema only, not version.</summary>
    [Parameter]
    public SwitchParameter IgnoreExtensionVersions { get; set; }

    /// <summary>Does not report columns that are the same but in another order.</summary>
    [Parameter]
    public SwitchParameter IgnoreColumnOrder { get; set; }

    /// <summary>Compares owners and privileges too; see -RoleMap for roles named differently between environments.</summary>
    [Parameter]
    public SwitchParameter IncludePrivileges { get; set; }

    /// <summary>Expected role name to actual role name, e.g. @{ app_owner = 'app_owner_prod' }, applied before comparing owners and privileges.</summary>
    [Parameter]
    public Hashtable? RoleMap { get; set; }

    /// <summary>Schemas to leave out; wildcards allowed (audit*).</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? ExcludeSchema { get; set; }

    /// <summary>Tables to leave out, by name or schema.name; wildcards allowed (audit_*). The history and version tables are always left out.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? ExcludeTable { get; set; }

    private protected override void End()
    {
        var settings = LoadSettings();
        var request = new SchemaVerificationRequest
        {
            SchemaFile = ParameterSetName == FileSet ? GetUnresolvedProviderPathFromPSPath(SchemaFile) : null,
            ReferenceConnectionString = ParameterSetName == ReferenceSet ? ReferenceConnectionString : null,
            Replay = Replay,
            Version = ParseVersion(Version, nameof(Version)),
            Compare = new SchemaCompareOptions
            {
                IgnoreComments = IgnoreComments,
                IgnoreExtensionVersions = IgnoreExtensionVersions,
                IgnoreColumnOrder = IgnoreColumnOrder,
                IncludePrivileges = IncludePrivileges,
                RoleMap = RoleMap?.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? "") ?? new Dictionary<string, string>(),
                ExcludeSchemas = ExcludeSchema ?? [],
                ExcludeTables = ExcludeTable ?? [],
            },
        };
        var quiet = Quiet.IsPresent;
        var several = Targets.Count > 1;
        var mismatches = 0;
        var summary = RunTargets(settings, Targets, async (run, cancel) =>
        {
            var verification = new SchemaVerification(run.Migrator, run.Reporter);
            var differences = await verification.RunAsync(request, cancel).ConfigureAwait(false);
            if (quiet && !several)
            {
                run.Write(differences.Count == 0);
            }
            else if (quiet)
            {
                Interlocked.Add(ref mismatches, differences.Count == 0 ? 0 : 1);
            }
            else
            {
                foreach (var difference in differences)
                {
                    run.Write(difference);
                }
            }
            return differences.Count == 0 ? TargetOutcome.NoOp : TargetOutcome.Succeeded;
        });
        if (quiet && several)
        {
            // One answer for the call: every database matches (a failed one does not).
            WriteObject(mismatches == 0 && summary is { Failed: 0, Skipped: 0 });
        }
    }
}
