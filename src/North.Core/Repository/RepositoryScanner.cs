using North.Core.Errors;
using North.Core.Files;
using North.Core.Reporting;
using North.Core.Settings;
using North.Core.Versions;

namespace North.Core.Repository;

/// <summary>
/// Walks the migrations root once: version folders, their files and <c>manual/</c>, what is
/// ignored and why. Problems are collected, never thrown, so the same walk serves both
/// <see cref="MigrationRepository.Load"/> (throws the first) and the repository check (reports all).
/// Reads no file except root-folder <c>dml.sql</c> files, each once, up to the first marker.
/// </summary>
internal sealed class RepositoryScanner
{
    private const string ManualFolder = "manual";

    private readonly string _root;
    private readonly bool _ignoreSymlinks;
    private readonly IReporter _reporter;
    private readonly FileStampCache _files;

    public List<IgnoredEntry> Ignored { get; } = [];
    public List<RepositoryProblem> Problems { get; } = [];

    public RepositoryScanner(NorthSettings settings, IReporter reporter, FileStampCache files)
    {
        _files = files;
        _root = Path.GetFullPath(settings.MigrationsRoot);
        _ignoreSymlinks = settings.IgnoreSymlinks;
        _reporter = reporter;
    }

    public string Root => _root;

    /// <summary>The version folders in order, or null when the root does not exist.</summary>
    public List<VersionFolder>? Scan()
    {
        if (!Directory.Exists(_root))
        {
            Problems.Add(new RepositoryProblem(DiagnosticCodes.RootNotFound, "NorthRepositoryNotFound", NorthErrorKind.ObjectNotFound, _root, ".",
                $"The migrations root '{_root}' does not exist or is not a folder.",
                "Give -Path the folder that holds the version folders (1.0/, 1.1/...)."));
            return null;
        }

        var candidates = new List<(MigrationVersion Version, DirectoryInfo Folder)>();
        foreach (var entry in new DirectoryInfo(_root).EnumerateFileSystemInfos())
        {
            var name = entry.Name;
            var isVersion = MigrationVersion.TryParse(name, out var version, out var reason);
            if (entry is DirectoryInfo folder)
            {
                if (isVersion && folder.LinkTarget is not null)
                {
                    Ignore(folder.FullName, IgnoreReason.SymlinkedVersionFolder,
                        $"Version folder '{name}' is a symbolic link to '{folder.LinkTarget}'; ignored, as django-north did.");
                }
                else if (isVersion)
                {
                    candidates.Add((version!, folder));
                }
                else if (LooksLikeVersion(name))
                {
                    Ignore(folder.FullName, IgnoreReason.UnparsableVersionFolder,
                        $"Folder '{name}' looks like a version folder but '{name}' is not a version ({reason}); its files will not run.");
                }
            }
            else if (isVersion)
            {
                Ignore(entry.FullName, IgnoreReason.VersionNamedFile,
                    $"'{name}' is named like a version but is a file, not a folder; ignored.");
            }
        }

        // Ordinal tie-break: with equal versions, the same folder wins on every machine.
        candidates.Sort((a, b) =>
        {
            var c = a.Version.CompareTo(b.Version);
            return c != 0 ? c : string.CompareOrdinal(a.Folder.Name, b.Folder.Name);
        });

        var versions = new List<VersionFolder>(candidates.Count);
        foreach (var (version, folder) in candidates)
        {
            if (versions.Count > 0 && versions[^1].Version == version)
            {
                var kept = versions[^1];
                Problems.Add(new RepositoryProblem(DiagnosticCodes.DuplicateVersion, "NorthDuplicateVersion", NorthErrorKind.InvalidData,
                    folder.FullName, Relative(folder.FullName),
                    $"Folders '{kept.Version.Text}' and '{folder.Name}' are the same version ({version.Canonical}); North cannot tell which to run.",
                    $"Remove or rename one of them (a symbolic link is ignored, so '{folder.Name}' may be a link to '{kept.Version.Text}')."));
                continue;
            }
            versions.Add(new VersionFolder { Version = version, Path = folder.FullName, Migrations = ScanVersion(version, folder) });
        }
        _reporter.Verbose($"Found {versions.Count} version folder(s) and {versions.Sum(v => v.Migrations.Count)} migration(s) under '{_root}'.");
        return versions;
    }

    private List<MigrationFile> ScanVersion(MigrationVersion version, DirectoryInfo folder)
    {
        var migrations = new List<MigrationFile>();
        DirectoryInfo? manual = null;
        foreach (var entry in folder.EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo sub)
            {
                if (sub.Name == ManualFolder)
                {
                    manual = sub;
                }
                else if (!sub.Name.StartsWith('.'))
                {
                    Ignore(sub.FullName, IgnoreReason.UnexpectedFolder,
                        $"Folder '{sub.Name}' in version {version.Text} is not read; only files directly in the version folder and in manual/ are.");
                }
                continue;
            }
            AddIfMigration(migrations, version, (FileInfo)entry, inManualFolder: false);
        }
        if (manual is not null)
        {
            var names = migrations.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
            var fromManual = new List<MigrationFile>();
            foreach (var entry in manual.EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo sub)
                {
                    if (!sub.Name.StartsWith('.'))
                    {
                        Ignore(sub.FullName, IgnoreReason.UnexpectedFolder, $"Folder '{sub.Name}' in {version.Text}/manual is not read.");
                    }
                    continue;
                }
                AddIfMigration(fromManual, version, (FileInfo)entry, inManualFolder: true);
            }
            foreach (var file in fromManual)
            {
                if (names.Contains(file.Name))
                {
                    Problems.Add(new RepositoryProblem(DiagnosticCodes.DuplicateMigration, "NorthDuplicateMigration", NorthErrorKind.InvalidData,
                        file.Path, file.RelativePath,
                        $"Migration '{file.Name}' of version {version.Text} is both in the version folder and in manual/; a migration's name must be unique in its version.",
                        "Rename or remove one of the two files."));
                    continue;
                }
                migrations.Add(file);
            }
        }
        // Run order is byte-wise by name, manual or not, never the current culture's.
        migrations.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return migrations;
    }

    private void AddIfMigration(List<MigrationFile> migrations, MigrationVersion version, FileInfo file, bool inManualFolder)
    {
        var name = file.Name;
        var kind = MigrationFileName.KindOf(name);
        if (kind is null)
        {
            var lookAlike = MigrationFileName.LookAlikeReason(name);
            if (lookAlike is not null)
            {
                Ignore(file.FullName, IgnoreReason.LookAlikeFile, $"'{name}' is not a migration and will not run: {lookAlike}.");
            }
            else if (!name.StartsWith('.'))
            {
                Ignore(file.FullName, IgnoreReason.OtherFile, $"'{name}' is not a migration (name does not end in ddl.sql or dml.sql); ignored.");
            }
            return;
        }
        if (_ignoreSymlinks && file.LinkTarget is not null)
        {
            Ignore(file.FullName, IgnoreReason.SymlinkedFile, $"'{name}' is a symbolic link and IgnoreSymlinks is set; ignored.");
            return;
        }
        if (FileKindProbe.NotRegular(file.FullName) is { } what)
        {
            // Reading it would block (a FIFO waits for a writer): report it, never open it.
            Problems.Add(new RepositoryProblem(DiagnosticCodes.NotRegularFile, Errors.ScriptException.FileNotRegularId, NorthErrorKind.InvalidData,
                file.FullName, Relative(file.FullName), $"'{Relative(file.FullName)}' is named like a migration but is {what}, not a regular file; North reads only regular files.",
                "Replace it with a regular file, or move it out of the repository."));
            return;
        }
        var isManual = inManualFolder;
        // Only a root-folder dml.sql file is read here (both originals): ddl.sql files and manual/ files never are.
        if (!inManualFolder && kind == MigrationKind.Dml)
        {
            try
            {
                isManual = ManualMarkerScan.ContainsMarker(file, _files);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Problems.Add(new RepositoryProblem(DiagnosticCodes.Unreadable, "NorthFileUnreadable", NorthErrorKind.ReadError,
                    file.FullName, Relative(file.FullName), $"Cannot read '{Relative(file.FullName)}': {e.Message}",
                    "Check the file exists and is readable by this user."));
                return;
            }
        }
        migrations.Add(new MigrationFile
        {
            Version = version,
            Name = name,
            Path = file.FullName,
            RelativePath = Relative(file.FullName),
            Kind = kind.Value,
            IsManual = isManual,
            InManualFolder = inManualFolder,
        });
    }

    /// <summary>A name a DBA meant as a version: starts with a digit (<c>1.0-rc</c>, <c>2.0_old</c>) or v+digit (<c>v1.2</c>).</summary>
    private static bool LooksLikeVersion(string name) =>
        name.Length > 0 && (char.IsAsciiDigit(name[0]) || (name.Length > 1 && name[0] is 'v' or 'V' && char.IsAsciiDigit(name[1])));

    private void Ignore(string path, IgnoreReason reason, string message)
    {
        _reporter.Debug(message);
        Ignored.Add(new IgnoredEntry(path, Relative(path), reason, message));
    }

    private string Relative(string path) => RepositoryProblem.RelativeTo(_root, path);
}
