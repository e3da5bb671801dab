using North.Core.Repository;
using North.Core.Settings;
using North.Core.Tests.Repository;

namespace North.Core.Tests.LockRisk;

/// <summary>The lock-risk rules on the originals' realistic repositories: every finding asserted.</summary>
public class LockRiskCorpusTests
{
    private static string[] Check(string relative) =>
        RepositoryCheck.Run(new NorthSettings { MigrationsRoot = Corpus.PathOf(relative) })
            .Where(d => d.Code.StartsWith("NORTH1", StringComparison.Ordinal))
            .Select(d => $"{d.Severity} {d.Code} {d.Path}:{d.Line}")
            .ToArray();

    [Theory]
    [InlineData("septentrion/example_migrations")]
    [InlineData("django-north/tests/north_project/sql")]
    public void RealisticRepositories(string relative)
    {
        Assert.Equal(
        [
            // CREATE INDEX CONCURRENTLY without IF NOT EXISTS in a non-transactional file: a re-run after
            // the second index failed stops on the first.
            "Warning NORTH112 1.1/1.1-index-ddl.sql:1",
            "Warning NORTH112 1.1/1.1-index-ddl.sql:2",
            // The blue/green rename: the view keeps N-1 clients working, but each RENAME and the
            // DROP COLUMN of the next release take an AccessExclusiveLock; the DBA decides (north:ignore).
            "Warning NORTH110 1.2/1.2-rename-num-pages-ddl.sql:7",
            "Warning NORTH110 1.2/1.2-rename-num-pages-ddl.sql:10",
            "Warning NORTH110 1.3/1.3-remove-author-dob-ddl.sql:7",
            "Warning NORTH110 1.3/1.3-rename-num-pages-ddl.sql:7",
        ], Check(relative));
    }
}
