using North.Core.Errors;
using North.Core.History;
using North.Core.Repository;
using North.Core.Sql;
using North.Core.Versions;

namespace North.Core.Planning;

/// <summary>
/// Decides, without touching the database, where it stands and what a run would do
/// (DESIGN.md section 3, steps 2 and 3), from the repository, the history rows and the detected
/// current version.
/// </summary>
public sealed class MigrationPlanner
{
    private readonly MigrationRepository _repository;
    private readonly IReadOnlyList<string> _nonTransactionalKeywords;
    private readonly string _workingDirectory;
    private readonly string? _database;
    private Dictionary<string, string> _checksums = new(StringComparer.Ordinal);

    /// <param name="repository">The repository, with the file facts its session remembers.</param>
    /// <param name="workingDirectory">What <c>\i</c> resolves against (the run's working folder); null: the migrations root.</param>
    /// <param name="database">The database the files will run on: a <c>\connect</c> to another fails the plan, before anything runs.</param>
    public MigrationPlanner(MigrationRepository repository, string? workingDirectory = null, string? database = null)
    {
        _database = database;
        _repository = repository;
        _nonTransactionalKeywords = repository.Settings.NonTransactionalKeywords;
        _workingDirectory = workingDirectory ?? repository.Root;
    }

    /// <summary>
    /// The state and the plan. <paramref name="current"/> is what the version detector found (null:
    /// not initialized). <paramref name="allowOutOfOrder"/> puts out-of-order files first in the plan.
    /// </summary>
    public MigrationState Plan(IReadOnlyList<HistoryRow> history, MigrationVersion? current, bool allowOutOfOrder = false)
    {
        var target = _repository.GetTargetVersion();
        var latest = _repository.LatestVersion;

        // Rows of this repository's kind only: django's own apps share django_migrations.
        var recorded = new Dictionary<(MigrationVersion, string), HistoryRow>();
        foreach (var row in history)
        {
            if (row.ParsedVersion is { } v)
            {
                recorded[(v, row.Name)] = row;
            }
        }

        _checksums = ChecksumsOfRecorded(recorded, target);
        if (current is null)
        {
            return PlanInitialization(recorded, target, latest);
        }

        if (_repository.Find(current) is null)
        {
            var known = string.Join(", ", _repository.Versions.Select(f => f.Version.Text));
            throw new NorthException(
                $"The database is at version {current.Text}, which has no folder in '{_repository.Root}' (versions on disk: {known}).",
                ErrorIds.VersionNotFound, NorthErrorKind.ObjectNotFound, current.Text,
                "Point -Path at the repository this database was migrated from, or check the version detector.");
        }
        current = _repository.Find(current)!.Version;

        // The lowest recorded version that is on disk; below it, the initial schema covered everything.
        MigrationVersion? lowest = null;
        foreach (var (version, _) in recorded.Keys)
        {
            if (_repository.Find(version) is not null && (lowest is null || version < lowest))
            {
                lowest = version;
            }
        }

        var statuses = new List<MigrationStatus>();
        var outOfOrder = new List<MigrationFile>();
        var pending = new List<MigrationFile>();
        foreach (var folder in _repository.Versions)
        {
            if (folder.Version > target)
            {
                break;
            }
            foreach (var file in folder.Migrations)
            {
                if (recorded.Remove((folder.Version, file.Name), out var row))
                {
                    statuses.Add(Recorded(file, row));
                    continue;
                }
                // Nothing recorded at all: the detector's version came with the schema (django-north's rule).
                var covered = lowest is null ? folder.Version <= current : folder.Version < lowest;
                var late = !covered && folder.Version < current;
                if (late) outOfOrder.Add(file);
                else if (!covered) pending.Add(file);
                statuses.Add(OnDisk(file) with { CoveredBySchema = covered, OutOfOrder = late, Pending = !covered && (!late || allowOutOfOrder) });
            }
        }
        AddMissing(statuses, recorded, target);

        var steps = new List<PlanStep>();
        if (allowOutOfOrder)
        {
            foreach (var file in outOfOrder) steps.Add(ApplyStep(steps.Count + 1, file, outOfOrder: true));
        }
        foreach (var file in pending) steps.Add(ApplyStep(steps.Count + 1, file, outOfOrder: false));

        var info = new VersionInfo(current, target, latest, lowest is null ? current : InitVersionFromHistory(lowest), true, steps.Count);
        return new MigrationState(info, statuses, steps);
    }

    /// <summary>Step 2 of a run: before files, schema, faked records, after files, fixtures; then every version above.</summary>
    private MigrationState PlanInitialization(Dictionary<(MigrationVersion, string), HistoryRow> recorded, MigrationVersion target, MigrationVersion? latest)
    {
        var init = _repository.GetInitVersion(target);
        var steps = new List<PlanStep>();
        foreach (var path in _repository.ResolveBeforeSchemaFiles())
        {
            steps.Add(FileStep(steps.Count + 1, PlanAction.RunSchemaFile, null, path));
        }
        steps.Add(FileStep(steps.Count + 1, PlanAction.LoadSchema, init, _repository.GetSchemaFile(init)!));
        var statuses = new List<MigrationStatus>();
        foreach (var folder in _repository.Versions.Where(f => f.Version <= init))
        {
            var unrecorded = new List<MigrationFile>();
            foreach (var file in folder.Migrations)
            {
                if (recorded.Remove((folder.Version, file.Name), out var row))
                {
                    statuses.Add(Recorded(file, row));
                }
                else
                {
                    unrecorded.Add(file);
                    statuses.Add(OnDisk(file) with { CoveredBySchema = true });
                }
            }
            if (folder.Version == init && unrecorded.Count == 0 && !folder.Migrations.Any())
            {
                // An init version without files would leave no row, and the History detector would
                // see an uninitialised database next time: record the schema file itself.
                steps.Add(new PlanStep
                {
                    Order = steps.Count + 1,
                    Action = PlanAction.RecordFaked,
                    Version = folder.Version,
                    Name = System.IO.Path.GetFileName(_repository.GetSchemaFile(init)!),
                    SchemaFile = _repository.GetSchemaFile(init),
                });
            }
            if (unrecorded.Count > 0)
            {
                steps.Add(new PlanStep
                {
                    Order = steps.Count + 1,
                    Action = PlanAction.RecordFaked,
                    Version = folder.Version,
                    Name = unrecorded.Count == 1 ? unrecorded[0].Name : $"{unrecorded.Count} migrations of {folder.Version.Text}",
                    Files = unrecorded,
                });
            }
        }
        foreach (var path in _repository.ResolveAfterSchemaFiles())
        {
            steps.Add(FileStep(steps.Count + 1, PlanAction.RunSchemaFile, null, path));
        }
        if (_repository.GetFixturesFile(init) is { } fixtures)
        {
            steps.Add(FileStep(steps.Count + 1, PlanAction.LoadFixtures, init, fixtures));
        }
        var applied = 0;
        foreach (var folder in _repository.Versions.Where(f => f.Version > init && f.Version <= target))
        {
            foreach (var file in folder.Migrations)
            {
                if (recorded.Remove((folder.Version, file.Name), out var row))
                {
                    statuses.Add(Recorded(file, row));
                    continue;
                }
                steps.Add(ApplyStep(steps.Count + 1, file, outOfOrder: false));
                statuses.Add(OnDisk(file) with { Pending = true });
                applied++;
            }
        }
        AddMissing(statuses, recorded, target);
        return new MigrationState(new VersionInfo(null, target, latest, init, false, applied), statuses, steps);
    }

    /// <summary>
    /// Checks that <paramref name="requested"/> is a prefix of <paramref name="plan"/> (same work, same
    /// order), and returns the matching steps of the current plan.
    /// </summary>
    public static IReadOnlyList<PlanStep> RequirePrefix(IReadOnlyList<PlanStep> plan, IReadOnlyList<PlanStep> requested)
    {
        for (var i = 0; i < requested.Count; i++)
        {
            if (i >= plan.Count || !plan[i].SameWorkAs(requested[i]))
            {
                var expected = i < plan.Count ? Describe(plan[i]) : "the end of the plan";
                throw new NorthException(
                    $"The steps given are not the start of the current plan: step {i + 1} is {Describe(requested[i])}, the plan has {expected}. The database or the repository changed since the plan was made.",
                    ErrorIds.PlanMismatch, NorthErrorKind.InvalidOperation, requested[i].Path ?? requested[i].Name,
                    "Make the plan again (Get-NorthPlan) and pass it on without reordering or skipping steps.");
            }
        }
        return plan.Take(requested.Count).ToList();
    }

    private static string Describe(PlanStep step) =>
        $"{step.Action} {(step.Version is null ? "" : step.Version.Text + " ")}{step.Name}";

    // The version the database was initialised at, as django-north guessed it: the one below the lowest recorded.
    private MigrationVersion? InitVersionFromHistory(MigrationVersion lowest)
    {
        MigrationVersion? below = null;
        foreach (var folder in _repository.Versions)
        {
            if (folder.Version >= lowest) break;
            below = folder.Version;
        }
        return below ?? lowest;
    }

    // The file's transaction mode is decided here, once, and travels to the executor in the step.
    private PlanStep ApplyStep(int order, MigrationFile file, bool outOfOrder)
    {
        var classification = Classify(file.Path, file.IsManual);
        return new PlanStep
        {
            Order = order,
            Action = PlanAction.Apply,
            Version = file.Version,
            Name = file.Name,
            Path = file.Path,
            Manual = file.IsManual,
            Transaction = classification.Mode,
            Classification = classification,
            OutOfOrder = outOfOrder,
            Files = new[] { file },
        };
    }

    private PlanStep FileStep(int order, PlanAction action, MigrationVersion? version, string path)
    {
        var classification = Classify(path, manual: false);
        return new PlanStep
        {
            Order = order,
            Action = action,
            Version = version,
            Name = System.IO.Path.GetFileName(path),
            Path = path,
            Transaction = classification.Mode,
            Classification = classification,
        };
    }

    private ScriptClassification Classify(string path, bool manual) =>
        ScriptClassifier.Classify(path, _nonTransactionalKeywords,
            new ScriptReaderOptions { WorkingDirectory = _workingDirectory, Manual = manual, CurrentDatabase = _database, ReadableFolders = _repository.ReadableFolders, Variables = _repository.Settings.Variables }, _repository.Files);

    private static MigrationStatus OnDisk(MigrationFile file) => new()
    {
        Version = file.Version,
        Name = file.Name,
        Kind = file.Kind,
        Manual = file.IsManual,
        Path = file.Path,
        File = file,
    };

    private MigrationStatus Recorded(MigrationFile file, HistoryRow row) => OnDisk(file) with
    {
        Applied = true,
        AppliedAt = row.AppliedAt,
        Mode = row.Mode,
        Modified = row.Checksum is { Length: > 0 } recordedSum
                   && !string.Equals(recordedSum, _checksums.TryGetValue(file.Path, out var sum) ? sum : FileChecksum.Compute(file.Path, _repository.Files), StringComparison.OrdinalIgnoreCase),
    };

    // Files whose row has a checksum are hashed up front, on all cores: status on 10,000 files stays fast.
    private Dictionary<string, string> ChecksumsOfRecorded(Dictionary<(MigrationVersion, string), HistoryRow> recorded, MigrationVersion target)
    {
        var paths = new List<string>();
        foreach (var folder in _repository.Versions)
        {
            if (folder.Version > target) break;
            foreach (var file in folder.Migrations)
            {
                if (recorded.TryGetValue((folder.Version, file.Name), out var row) && row.Checksum is { Length: > 0 })
                {
                    paths.Add(file.Path);
                }
            }
        }
        var sums = FileChecksum.ComputeAll(paths, _repository.Files);
        var result = new Dictionary<string, string>(paths.Count, StringComparer.Ordinal);
        for (var i = 0; i < paths.Count; i++) result[paths[i]] = sums[i];
        return result;
    }

    // Rows left over: files gone from disk are reported; files above the target are simply not shown.
    private void AddMissing(List<MigrationStatus> statuses, Dictionary<(MigrationVersion, string), HistoryRow> left, MigrationVersion target)
    {
        foreach (var ((version, name), row) in left.OrderBy(p => p.Key.Item1).ThenBy(p => p.Key.Item2, StringComparer.Ordinal))
        {
            if (version > target && _repository.Find(version) is { } folder && folder.Migrations.Any(m => m.Name == name))
            {
                continue;
            }
            if (_repository.GetSchemaFile(version) is { } schema && System.IO.Path.GetFileName(schema) == name)
            {
                continue; // the init marker recorded for a version without files
            }
            statuses.Add(new MigrationStatus
            {
                Version = version,
                Name = name,
                Applied = true,
                MissingOnDisk = true,
                AppliedAt = row.AppliedAt,
                Mode = row.Mode,
            });
        }
    }
}
