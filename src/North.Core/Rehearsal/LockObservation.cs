namespace North.Core.Rehearsal;

/// <summary>How much a statement's locks on an existing relation can hurt a live database.</summary>
public enum RiskLevel
{
    /// <summary>A lock that blocks no read nor write (AccessShare, RowShare, RowExclusive, ShareUpdateExclusive).</summary>
    None,
    /// <summary>A blocking lock held briefly (no rewrite, no full scan): it still queues behind long transactions.</summary>
    Low,
    /// <summary>A blocking lock held for a rewrite, a full scan or an index build.</summary>
    High,
}

/// <summary>
/// What one statement did to one relation that existed before its file, measured on a scratch
/// database from the statement's own session before its transaction ended.
/// </summary>
/// <param name="Version">The migration's version.</param>
/// <param name="Name">The migration's file name.</param>
/// <param name="Line">Line of the statement in the file.</param>
/// <param name="Statement">The statement's first line.</param>
/// <param name="Relation">The schema-qualified relation, as it was named before the file; null for a statement that took no new lock on one.</param>
/// <param name="LockMode">The strongest lock the statement took on the relation (PostgreSQL's name, <c>AccessExclusiveLock</c>...), or null.</param>
/// <param name="Rewrite">The relation's <c>relfilenode</c> changed: the table was rewritten.</param>
/// <param name="FullScan">Its <c>pg_stat_xact_user_tables.seq_scan</c> grew: the table was read in full.</param>
/// <param name="Duration">How long the statement took on the scratch database.</param>
/// <param name="Risk">What the lock means for a live database.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record LockObservation(
    string Version,
    string Name,
    int Line,
    string Statement,
    string? Relation,
    string? LockMode,
    bool Rewrite,
    bool FullScan,
    TimeSpan Duration,
    RiskLevel Risk,
    string Reason)
{
    /// <summary>The rehearsed target's server (<c>host:port</c>); null when no target was given.</summary>
    public string? Server { get; init; }

    /// <summary>The rehearsed target's database; null when no target was given.</summary>
    public string? Database { get; init; }

    /// <summary>The relation's rows on the target (the planner's <c>reltuples</c>); null when it is not there yet or was never analyzed.</summary>
    public long? Rows { get; init; }

    /// <summary>The relation's size on the target (<c>pg_total_relation_size</c>, bytes); null when it is not there yet.</summary>
    public long? Size { get; init; }
}
