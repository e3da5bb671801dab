using North.Core.Versions;

namespace North.Core.Clearing;

/// <summary>The steps of a clear, in order.</summary>
public enum ClearAction
{
    /// <summary>Every table of the plan emptied with one <c>TRUNCATE ... RESTART IDENTITY</c>.</summary>
    EmptyTables,

    /// <summary>The fixtures of the closest version at or below the current one loaded again.</summary>
    LoadFixtures,
}

/// <summary>What one step of <see cref="DatabaseClearer.ClearAsync"/> did, on which database.</summary>
/// <param name="Server">host:port of the database.</param>
/// <param name="Database">The database cleared.</param>
/// <param name="Action">The step.</param>
/// <param name="Version">The database's current version (the fixtures' version is in <paramref name="Path"/>).</param>
/// <param name="Tables">Schema-qualified tables emptied (EmptyTables), none for LoadFixtures.</param>
/// <param name="Kept">Tables left as they were, each with why (EmptyTables), none for LoadFixtures.</param>
/// <param name="Path">The fixtures file (LoadFixtures).</param>
/// <param name="RowsAffected">Rows the fixtures inserted, updated or copied (LoadFixtures).</param>
/// <param name="Duration">How long the step took.</param>
public sealed record ClearResult(
    string Server,
    string Database,
    ClearAction Action,
    MigrationVersion Version,
    IReadOnlyList<string> Tables,
    IReadOnlyList<string> Kept,
    string? Path,
    long RowsAffected,
    TimeSpan Duration);
