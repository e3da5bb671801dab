using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using North.Core.Errors;
using North.Core.Repository;
using North.Core.Versions;

namespace North.Core.Scaffolding;

/// <summary>
/// Names and writes a new migration the way the repository already names its files: the
/// <c>&lt;version&gt;-</c> prefix, an order number per topic when the version's files carry one
/// (<c>1.0-author-1-ddl.sql</c>, <c>1.0-author-2-dml.sql</c>), <c>manual/</c> for manual files, and
/// for a new version folder a copy of the previous version's <c>0-version</c> file.
/// </summary>
public static partial class MigrationScaffolder
{

    /// <summary>Decides the folder and files for <paramref name="request"/>; writes nothing.</summary>
    public static ScaffoldPlan Plan(MigrationRepository repository, NewMigrationRequest request)
    {
        if (!TopicPattern().IsMatch(request.Topic) || TrailingKind().IsMatch(request.Topic))
        {
            throw new NorthException(
                $"'{request.Topic}' cannot be the topic of a migration file name: use letters, digits, '-' and '_', starting with a letter or digit, without the -ddl/-dml suffix.",
                ErrorIds.MigrationNameInvalid, NorthErrorKind.InvalidArgument, request.Topic, "Give a topic such as add-isbn or book_title_index.");
        }
        if (request.Manual && request.Kind != MigrationKind.Dml)
        {
            throw new NorthException("A manual migration is a dml.sql file: -Manual cannot go with -Kind Ddl.",
                ErrorIds.MigrationNameInvalid, NorthErrorKind.InvalidArgument, request.Topic, "Leave out -Kind, or leave out -Manual.");
        }

        var latest = repository.Versions.Count == 0 ? null : repository.Versions[^1];
        VersionFolder? folder;
        MigrationVersion version;
        string folderPath;
        string? created = null;
        var files = new List<ScaffoldFile>();
        if (request.NewVersion)
        {
            version = request.Version ?? (latest is null ? MigrationVersion.Parse("1.0") : Next(latest.Version));
            if (repository.Find(version) is { } existing)
            {
                throw new NorthException($"Version {version.Text} exists already ('{existing.Path}').", ErrorIds.MigrationExists, NorthErrorKind.InvalidOperation,
                    existing.Path, "Leave out -NewVersion to add a file to it, or give another -Version.");
            }
            if (latest is not null && version < latest.Version)
            {
                throw new NorthException($"The new version {version.Text} is below the latest version {latest.Version.Text}: databases past it would never run it.",
                    ErrorIds.MigrationNameInvalid, NorthErrorKind.InvalidArgument, version.Text, $"Give a version above {latest.Version.Text}, or leave out -Version.");
            }
            folderPath = Path.Combine(repository.Root, version.Text);
            if (Directory.Exists(folderPath) || File.Exists(folderPath))
            {
                throw new NorthException($"'{folderPath}' exists already.", ErrorIds.MigrationExists, NorthErrorKind.InvalidOperation, folderPath, "Choose another version.");
            }
            created = folderPath;
            folder = null;
            if (latest is not null && VersionFile(latest) is { } versionFile)
            {
                files.Add(CopyVersionFile(latest, versionFile, version, folderPath));
            }
        }
        else
        {
            folder = request.Version is null ? latest : repository.Find(request.Version);
            if (folder is null)
            {
                var known = repository.Versions.Count == 0 ? "none" : string.Join(", ", repository.Versions.Select(v => v.Version.Text));
                throw new NorthException(
                    request.Version is null
                        ? $"The repository '{repository.Root}' has no version folder to add a migration to."
                        : $"Version {request.Version.Text} has no folder in '{repository.Root}' (versions: {known}).",
                    ErrorIds.VersionNotFound, NorthErrorKind.ObjectNotFound, request.Version?.Text ?? repository.Root,
                    "Give an existing -Version, or -NewVersion to create the next version folder.");
            }
            version = folder.Version;
            folderPath = folder.Path;
        }

        // The convention comes from the version's own files, or the previous version's for a new one.
        var model = folder is { Migrations.Count: > 0 } ? folder : repository.Versions.LastOrDefault(v => v.Migrations.Count > 0);
        var name = FileName(version, request, folder, model);
        var path = request.Manual ? Path.Combine(folderPath, "manual", name) : Path.Combine(folderPath, name);
        if (folder is not null && folder.Migrations.FirstOrDefault(m => m.Name == name) is { } clash)
        {
            throw new NorthException($"'{clash.Path}' exists already: North never overwrites a migration.", ErrorIds.MigrationExists, NorthErrorKind.InvalidOperation,
                clash.Path, "Give another -Name, or edit that file.");
        }
        if (File.Exists(path))
        {
            throw new NorthException($"'{path}' exists already: North never overwrites a file.", ErrorIds.MigrationExists, NorthErrorKind.InvalidOperation,
                path, "Give another -Name, or edit that file.");
        }
        files.Add(new ScaffoldFile(path, MigrationTemplate.For(request, name)));
        return new ScaffoldPlan(version, created, files);
    }

    /// <summary>Writes the plan's folder and files; never replaces an existing file.</summary>
    public static IReadOnlyList<string> Write(ScaffoldPlan plan)
    {
        var written = new List<string>(plan.Files.Count);
        foreach (var file in plan.Files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file.Path)!);
            try
            {
                // CreateNew: a file that appeared since the plan is not overwritten.
                using var stream = new FileStream(file.Path, FileMode.CreateNew, FileAccess.Write);
                var bytes = new UTF8Encoding(false).GetBytes(file.Content);
                stream.Write(bytes);
            }
            catch (IOException e) when (File.Exists(file.Path))
            {
                throw new NorthException($"'{file.Path}' exists already: North never overwrites a file.", ErrorIds.MigrationExists, NorthErrorKind.InvalidOperation,
                    file.Path, "Give another -Name.", e);
            }
            written.Add(file.Path);
        }
        return written;
    }

    /// <summary>The next version: the last component plus one, keeping its width (1.3 → 1.4, 17.01 → 17.02, 1.9 → 1.10).</summary>
    public static MigrationVersion Next(MigrationVersion version)
    {
        var parts = version.Text.Split('.');
        var last = parts[^1];
        var next = (long.Parse(last, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        parts[^1] = next.PadLeft(last.Length, '0');
        return MigrationVersion.Parse(string.Join('.', parts));
    }

    private static string FileName(MigrationVersion version, NewMigrationRequest request, VersionFolder? folder, VersionFolder? model)
    {
        var suffix = request.Manual || request.Kind == MigrationKind.Dml ? "dml.sql" : "ddl.sql";
        var prefixed = model is null || model.Migrations.Any(m => m.Name.StartsWith(model.Version.Text + "-", StringComparison.Ordinal));
        var prefix = prefixed ? version.Text + "-" : "";
        if (model is null || !UsesOrderNumbers(model))
        {
            return $"{prefix}{request.Topic}-{suffix}";
        }
        // The next order number of this topic in this version (1 for a new topic).
        var taken = (folder?.Migrations ?? []).Select(m => Numbered().Match(m.Name))
            .Where(m => m.Success && m.Groups["topic"].Value == (prefixed ? version.Text + "-" : "") + request.Topic)
            .Select(m => int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture));
        var order = taken.DefaultIfEmpty(0).Max() + 1;
        return $"{prefix}{request.Topic}-{order}-{suffix}";
    }

    private static bool UsesOrderNumbers(VersionFolder version) =>
        version.Migrations.Any(m => !IsVersionFile(version, m.Name) && Numbered().IsMatch(m.Name));

    private static bool IsVersionFile(VersionFolder version, string name) =>
        name.StartsWith(version.Version.Text + "-0-", StringComparison.Ordinal) || name.StartsWith("0-", StringComparison.Ordinal);

    private static MigrationFile? VersionFile(VersionFolder version) =>
        version.Migrations.FirstOrDefault(m => !m.InManualFolder && IsVersionFile(version, m.Name));

    private static ScaffoldFile CopyVersionFile(VersionFolder from, MigrationFile file, MigrationVersion to, string folderPath)
    {
        // The version as a whole token: '1.3' in VALUES ('1.3'), not the 1.3 inside 11.3 or 1.30.
        var token = new Regex(@"(?<![0-9.])" + Regex.Escape(from.Version.Text) + @"(?![0-9]|\.[0-9])", RegexOptions.CultureInvariant);
        var name = token.Replace(file.Name, to.Text, 1);
        var content = token.Replace(File.ReadAllText(file.Path), to.Text);
        return new ScaffoldFile(Path.Combine(folderPath, name), content);
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex TopicPattern();

    [GeneratedRegex(@"[-_]?d[dm]l$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingKind();

    [GeneratedRegex(@"^(?<topic>.+)-(?<n>[0-9]+)-d[dm]l\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex Numbered();
}
