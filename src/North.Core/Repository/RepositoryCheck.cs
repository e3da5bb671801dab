using System.Text.RegularExpressions;
using North.Core.Errors;
using North.Core.Files;
using North.Core.LockRisk;
using North.Core.Reporting;
using North.Core.Settings;
using North.Core.Versions;

namespace North.Core.Repository;

/// <summary>
/// Static checks of a repository, without a database (<c>Test-NorthRepository</c>): discovery in a
/// mode that reports problems instead of throwing, what discovery ignored, the target and schema
/// choice, the before/after-schema entries, and each migration's text. One diagnostic per finding.
/// </summary>
public static class RepositoryCheck
{
    /// <summary>
    /// Runs every check; diagnostics come ordered by path, then line. <paramref name="workingDirectory"/>
    /// is what <c>\i</c> resolves against, as in a run (the PowerShell location); null: the migrations root.
    /// </summary>
    public static IReadOnlyList<RepositoryDiagnostic> Run(NorthSettings settings, IReporter? reporter = null, string? workingDirectory = null, FileStampCache? files = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var diagnostics = new List<RepositoryDiagnostic>();
        var repository = MigrationRepository.Discover(settings, reporter ?? NullReporter.Instance, files ?? new FileStampCache(), out var problems);
        foreach (var problem in problems)
        {
            diagnostics.Add(new(DiagnosticSeverity.Error, problem.Code, problem.RelativePath ?? ".", null, problem.Message));
        }
        if (repository is null)
        {
            return diagnostics;
        }

        foreach (var ignored in repository.Ignored)
        {
            var (severity, code) = ignored.Reason switch
            {
                IgnoreReason.UnparsableVersionFolder => (DiagnosticSeverity.Warning, DiagnosticCodes.UnparsableVersionFolder),
                IgnoreReason.LookAlikeFile => (DiagnosticSeverity.Warning, DiagnosticCodes.LookAlikeFile),
                IgnoreReason.SymlinkedVersionFolder => (DiagnosticSeverity.Information, DiagnosticCodes.SymlinkedVersionFolder),
                IgnoreReason.SymlinkedFile => (DiagnosticSeverity.Information, DiagnosticCodes.SymlinkedFile),
                _ => (DiagnosticSeverity.Information, DiagnosticCodes.OtherIgnored),
            };
            diagnostics.Add(new(severity, code, ignored.RelativePath, null, ignored.Message));
        }

        foreach (var version in repository.Versions.Where(v => v.Migrations.Count == 0))
        {
            diagnostics.Add(new(DiagnosticSeverity.Information, DiagnosticCodes.EmptyVersion, Relative(repository, version.Path), null,
                $"Version folder {version.Version.Text} holds no migration."));
        }

        CheckTargetAndSchema(repository, diagnostics);
        CheckSchemaEntries(repository, diagnostics);
        CheckOrphans(repository, repository.SchemasFolder, settings.SchemaTemplate, "schema", diagnostics);
        CheckOrphans(repository, repository.FixturesFolder, settings.FixturesTemplate, "fixtures", diagnostics);

        foreach (var migration in repository.Migrations)
        {
            // The psql reader needs readable UTF-8; a file that is not was reported once already.
            if (MigrationContentCheck.Run(migration, diagnostics))
            {
                TransactionBlockCheck.Run(migration, workingDirectory ?? repository.Root, repository.ReadableFolders, repository.Settings.Variables, diagnostics,
                    repository.Settings.NonTransactionalKeywords);
            }
        }
        LockRiskCheck.Run(repository, diagnostics);

        diagnostics.Sort((a, b) =>
        {
            var c = ComparePaths(a.Path, b.Path);
            if (c == 0) c = (a.Line ?? 0).CompareTo(b.Line ?? 0);
            if (c == 0) c = string.CompareOrdinal(a.Code, b.Code);
            return c;
        });
        return diagnostics;
    }

    /// <summary>True when no diagnostic is an <see cref="DiagnosticSeverity.Error"/> (what <c>-Quiet</c> returns).</summary>
    public static bool IsClean(IEnumerable<RepositoryDiagnostic> diagnostics) =>
        diagnostics.All(d => d.Severity != DiagnosticSeverity.Error);

    private static void CheckTargetAndSchema(MigrationRepository repository, List<RepositoryDiagnostic> diagnostics)
    {
        var settings = repository.Settings;
        if (settings.TargetVersion is { } wanted && repository.Find(wanted) is null)
        {
            var known = repository.Versions.Count == 0 ? "none" : string.Join(", ", repository.Versions.Select(v => v.Version.Text));
            diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.TargetNotFound, ".", null,
                $"The target version {wanted.Text} (from {settings.SourceOf(nameof(NorthSettings.TargetVersion))}) has no folder. Versions on disk: {known}."));
            return;
        }
        var target = settings.TargetVersion ?? repository.LatestVersion;
        if (target is null)
        {
            return;
        }
        try
        {
            repository.GetInitVersion(target);
        }
        catch (RepositoryException e)
        {
            var code = e.ErrorId == ErrorIds.PathOutsideRoot ? DiagnosticCodes.PathOutsideRoot : DiagnosticCodes.SchemaNotFound;
            diagnostics.Add(new(DiagnosticSeverity.Error, code, "schemas", null, e.Message));
        }
    }

    private static void CheckSchemaEntries(MigrationRepository repository, List<RepositoryDiagnostic> diagnostics)
    {
        foreach (var resolve in new Func<IReadOnlyList<string>>[] { repository.ResolveBeforeSchemaFiles, repository.ResolveAfterSchemaFiles })
        {
            try
            {
                resolve();
            }
            catch (RepositoryException e)
            {
                diagnostics.Add(new(DiagnosticSeverity.Error, DiagnosticCodes.SchemaEntryNotFound, "schemas", null, e.Message));
            }
        }
    }

    /// <summary>
    /// Files that match a template for a version without a folder, or spelled unlike the folder
    /// (schema_17.1.sql beside folder 17.01: the run looks for schema_17.01.sql). Never used.
    /// </summary>
    private static void CheckOrphans(MigrationRepository repository, string folder, string template, string what, List<RepositoryDiagnostic> diagnostics)
    {
        if (!Directory.Exists(folder) || !(template.Contains("{}") || template.Contains("{0}")))
        {
            return;
        }
        var pattern = "^" + Regex.Escape(template).Replace(@"\{}", "(?<v>.+)").Replace(@"\{0}", "(?<v>.+)") + "$";
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var match = Regex.Match(file.Name, pattern);
            if (!match.Success || !MigrationVersion.TryParse(match.Groups["v"].Value, out var version))
            {
                continue;
            }
            var onDisk = repository.Find(version!);
            string? message = onDisk is null
                ? $"This {what} file is for version {version!.Text}, which has no folder: it is never used."
                : onDisk.Version.Text != version!.Text
                    ? $"This {what} file spells the version '{version.Text}' but the folder is '{onDisk.Version.Text}': North (like both originals) looks for '{MigrationRepository.FormatTemplate(template, onDisk.Version)}', so this file is never used."
                    : null;
            if (message is not null)
            {
                diagnostics.Add(new(DiagnosticSeverity.Warning, DiagnosticCodes.OrphanSchemaFile, Relative(repository, file.FullName), null, message));
            }
        }
    }

    /// <summary>Version folders in version order (16.9 before 16.11), the rest ordinal.</summary>
    private static int ComparePaths(string a, string b)
    {
        var headA = a.Split('/')[0];
        var headB = b.Split('/')[0];
        if (headA != headB && MigrationVersion.TryParse(headA, out var va) && MigrationVersion.TryParse(headB, out var vb) && va != vb)
        {
            return va!.CompareTo(vb);
        }
        return string.CompareOrdinal(a, b);
    }

    private static string Relative(MigrationRepository repository, string path) => RepositoryProblem.RelativeTo(repository.Root, path);
}
