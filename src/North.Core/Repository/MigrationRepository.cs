using North.Core.Files;
using North.Core.Errors;
using North.Core.Reporting;
using North.Core.Settings;
using North.Core.Versions;

namespace North.Core.Repository;

/// <summary>
/// A migration repository as found on disk (DESIGN.md section 1): its version folders in order,
/// their migrations in run order, the schema and fixtures files, the before/after-schema files,
/// and what was ignored. Read once by <see cref="Load"/>; immutable afterwards.
/// </summary>
public sealed class MigrationRepository
{
    private readonly Dictionary<MigrationVersion, VersionFolder> _byVersion;
    private readonly Lazy<HashSet<string>> _schemaFiles;
    private readonly Lazy<HashSet<string>> _fixturesFiles;

    private MigrationRepository(NorthSettings settings, string root, IReadOnlyList<VersionFolder> versions, IReadOnlyList<IgnoredEntry> ignored, FileStampCache files)
    {
        Settings = settings;
        Files = files;
        Root = root;
        Versions = versions;
        Ignored = ignored;
        _byVersion = versions.ToDictionary(v => v.Version);
        _schemaFiles = new(() => ListNames(SchemasFolder));
        _fixturesFiles = new(() => ListNames(FixturesFolder));
    }

    /// <summary>
    /// Discovers the repository at <see cref="NorthSettings.MigrationsRoot"/>. Throws a
    /// <see cref="RepositoryException"/> for a missing root, equal versions, a name both in a
    /// folder and its <c>manual/</c>, or an unreadable file.
    /// </summary>
    /// <see cref="Files"/> is what the caller's session remembers of its files (null: this load's own).
    public static MigrationRepository Load(NorthSettings settings, IReporter? reporter = null, FileStampCache? files = null)
    {
        var repository = Discover(settings, reporter ?? NullReporter.Instance, files ?? new FileStampCache(), out var problems);
        if (problems.Count > 0)
        {
            throw problems[0].ToException(problems.Count - 1);
        }
        return repository!;
    }

    /// <summary>Discovery that collects problems instead of throwing, with its own file facts.</summary>
    internal static MigrationRepository? Discover(NorthSettings settings, IReporter reporter, out List<RepositoryProblem> problems) =>
        Discover(settings, reporter, new FileStampCache(), out problems);

    /// <summary>Discovery that collects problems instead of throwing; null when the root is missing.</summary>
    internal static MigrationRepository? Discover(NorthSettings settings, IReporter reporter, FileStampCache files, out List<RepositoryProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var scanner = new RepositoryScanner(settings, reporter, files);
        var versions = scanner.Scan();
        problems = scanner.Problems;
        return versions is null ? null : new MigrationRepository(settings, scanner.Root, versions, scanner.Ignored, files);
    }

    /// <summary>The file facts (manual marker, classification, checksum) the repository's readers share.</summary>
    public FileStampCache Files { get; }

    /// <summary>The settings the repository was loaded with.</summary>
    public NorthSettings Settings { get; }

    /// <summary>Full path of the migrations root.</summary>
    public string Root { get; }

    /// <summary>Where includes and templates may read: the root and AllowedFolders.</summary>
    public ReadableFolders ReadableFolders => _readable ??= new ReadableFolders(Root, Settings.AllowedFolders);

    private ReadableFolders? _readable;

    /// <summary><c>schemas/</c> under the root.</summary>
    public string SchemasFolder => Path.Combine(Root, "schemas");

    /// <summary><c>fixtures/</c> under the root.</summary>
    public string FixturesFolder => Path.Combine(Root, "fixtures");

    /// <summary>Version folders in version order.</summary>
    public IReadOnlyList<VersionFolder> Versions { get; }

    /// <summary>The greatest version on disk, or null for a repository without versions.</summary>
    public MigrationVersion? LatestVersion => Versions.Count == 0 ? null : Versions[^1].Version;

    /// <summary>Files and folders found and not used, with why.</summary>
    public IReadOnlyList<IgnoredEntry> Ignored { get; }

    /// <summary>Every migration, version by version, in run order.</summary>
    public IEnumerable<MigrationFile> Migrations => Versions.SelectMany(v => v.Migrations);

    /// <summary>The folder of <paramref name="version"/> (equal versions match: 17.1 finds 17.01), or null.</summary>
    public VersionFolder? Find(MigrationVersion version) => _byVersion.GetValueOrDefault(version);

    /// <summary>
    /// The target version as it is on disk: <see cref="NorthSettings.TargetVersion"/>, or the latest
    /// version when unset. Throws <c>NorthVersionNotFound</c> when it has no folder.
    /// </summary>
    public MigrationVersion GetTargetVersion()
    {
        var target = Settings.TargetVersion ?? LatestVersion
            ?? throw new RepositoryException($"The repository '{Root}' has no version folder.", "NorthVersionNotFound",
                NorthErrorKind.ObjectNotFound, Root, "Add a version folder such as 1.0/ holding the migrations.");
        return RequireFolder(target, "target version", nameof(NorthSettings.TargetVersion)).Version;
    }

    /// <summary>Full path of the schema file of <paramref name="version"/>, or null when there is none.</summary>
    public string? GetSchemaFile(MigrationVersion version) =>
        SpecialFile(SchemasFolder, Settings.SchemaTemplate, version, _schemaFiles.Value);

    /// <summary>
    /// The version a new database is initialized at: the forced <see cref="NorthSettings.SchemaVersion"/>
    /// (which must be &lt;= <paramref name="target"/>, have a folder and a schema file), else the greatest
    /// version &lt;= target that has a schema file. Throws a <see cref="RepositoryException"/> otherwise.
    /// </summary>
    public MigrationVersion GetInitVersion(MigrationVersion target)
    {
        var targetFolder = RequireFolder(target, "target version", nameof(NorthSettings.TargetVersion));
        if (Settings.SchemaVersion is { } forced)
        {
            var source = Settings.SourceOf(nameof(NorthSettings.SchemaVersion));
            if (forced > targetFolder.Version)
            {
                throw new RepositoryException(
                    $"SchemaVersion {forced.Text} (from {source}) is above the target version {targetFolder.Version.Text}: a database cannot be initialized past its target.",
                    "NorthSchemaNotFound", NorthErrorKind.InvalidArgument, SchemasFolder, "Lower SchemaVersion, raise TargetVersion, or unset SchemaVersion.");
            }
            var folder = RequireFolder(forced, "SchemaVersion", nameof(NorthSettings.SchemaVersion));
            if (GetSchemaFile(folder.Version) is null)
            {
                throw new RepositoryException(
                    $"SchemaVersion {forced.Text} (from {source}) has no schema file: '{ExpectedPath(SchemasFolder, Settings.SchemaTemplate, folder.Version)}' does not exist.",
                    "NorthSchemaNotFound", NorthErrorKind.ObjectNotFound, SchemasFolder, "Add the schema file, or unset SchemaVersion to use the closest one.");
            }
            return folder.Version;
        }
        for (var i = IndexOf(targetFolder); i >= 0; i--)
        {
            if (GetSchemaFile(Versions[i].Version) is not null)
            {
                return Versions[i].Version;
            }
        }
        throw new RepositoryException(
            $"No schema file to initialize a database at {targetFolder.Version.Text}: no version at or below it has '{ExpectedPath(SchemasFolder, Settings.SchemaTemplate, targetFolder.Version)}' (template '{Settings.SchemaTemplate}').",
            "NorthSchemaNotFound", NorthErrorKind.ObjectNotFound, SchemasFolder,
            "Add a schema snapshot (pg_dump --schema-only) for a version at or below the target, or check SchemaTemplate.");
    }

    /// <summary>Full path of the fixtures of the greatest version &lt;= <paramref name="initVersion"/> that has some, or null.</summary>
    public string? GetFixturesFile(MigrationVersion initVersion)
    {
        for (var i = Versions.Count - 1; i >= 0; i--)
        {
            if (Versions[i].Version <= initVersion
                && SpecialFile(FixturesFolder, Settings.FixturesTemplate, Versions[i].Version, _fixturesFiles.Value) is { } path)
            {
                return path;
            }
        }
        return null;
    }

    /// <summary>Full paths, in run order, of the <see cref="NorthSettings.BeforeSchemaFiles"/> entries.</summary>
    public IReadOnlyList<string> ResolveBeforeSchemaFiles() =>
        SchemaEntryResolver.Resolve(SchemasFolder, Settings.BeforeSchemaFiles, nameof(NorthSettings.BeforeSchemaFiles), Settings.SourceOf(nameof(NorthSettings.BeforeSchemaFiles)));

    /// <summary>Full paths, in run order, of the <see cref="NorthSettings.AfterSchemaFiles"/> entries.</summary>
    public IReadOnlyList<string> ResolveAfterSchemaFiles() =>
        SchemaEntryResolver.Resolve(SchemasFolder, Settings.AfterSchemaFiles, nameof(NorthSettings.AfterSchemaFiles), Settings.SourceOf(nameof(NorthSettings.AfterSchemaFiles)));

    /// <summary>Fills a template: <c>{}</c> or <c>{0}</c> becomes the version as written in its folder name.</summary>
    public static string FormatTemplate(string template, MigrationVersion version) =>
        template.Replace("{0}", version.Text, StringComparison.Ordinal).Replace("{}", version.Text, StringComparison.Ordinal);

    private VersionFolder RequireFolder(MigrationVersion version, string what, string setting)
    {
        if (Find(version) is { } folder)
        {
            return folder;
        }
        var source = Settings.SourceOf(setting);
        var known = Versions.Count == 0 ? "none" : string.Join(", ", Versions.Select(v => v.Version.Text));
        throw new RepositoryException(
            $"The {what} {version.Text} (from {source}) has no folder under '{Root}'. Versions on disk: {known}.",
            "NorthVersionNotFound", NorthErrorKind.ObjectNotFound, Path.Combine(Root, version.Text),
            "Use a version that has a folder, or add the folder.");
    }

    private int IndexOf(VersionFolder folder)
    {
        for (var i = 0; i < Versions.Count; i++)
        {
            if (ReferenceEquals(Versions[i], folder))
            {
                return i;
            }
        }
        return -1;
    }

    private string? SpecialFile(string folder, string template, MigrationVersion version, HashSet<string> names)
    {
        // The spelling of the folder, not of the request: 17.1 asked, 17.01 on disk, schema_17.01.sql.
        var written = Find(version)?.Version ?? version;
        var name = FormatTemplate(template, written);
        var path = Path.Combine(folder, name);
        if (!ReadableFolders.Contains(path))
        {
            throw new RepositoryException(
                $"The template '{template}' gives '{Path.GetFullPath(path)}', outside {ReadableFolders.Describe()}: North does not read it.",
                Errors.ScriptException.PathOutsideRootId, NorthErrorKind.PermissionDenied, path, ReadableFolders.HowToAllow);
        }
        var exists = name.Contains('/') || name.Contains('\\') ? File.Exists(path) : names.Contains(name);
        return exists ? path : null;
    }

    private static string ExpectedPath(string folder, string template, MigrationVersion version) =>
        Path.Combine(folder, FormatTemplate(template, version));

    // Exact, case-sensitive names, as septentrion compared them on Linux, on every platform.
    private static HashSet<string> ListNames(string folder) =>
        Directory.Exists(folder)
            ? new DirectoryInfo(folder).EnumerateFiles().Select(f => f.Name).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
}
