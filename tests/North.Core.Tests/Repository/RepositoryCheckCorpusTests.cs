using North.Core.Repository;
using North.Core.Settings;

namespace North.Core.Tests.Repository;

/// <summary>The repository check on each corpus repository, every diagnostic asserted.</summary>
public class RepositoryCheckCorpusTests
{
    private static string[] Check(string relative) =>
        RepositoryCheck.Run(new NorthSettings { MigrationsRoot = Corpus.PathOf(relative) })
            .Where(d => !d.Code.StartsWith("NORTH1", StringComparison.Ordinal)) // lock-risk rules: LockRiskCorpusTests
            .Select(d => $"{d.Severity} {d.Code} {d.Path}{(d.Line is null ? "" : ":" + d.Line)}")
            .ToArray();

    [Fact]
    public void DjangoNorthTestData()
    {
        Assert.Equal(
        [
            "Information NORTH011 16.9",
            "Information NORTH011 16.11",
            "Warning NORTH005 17.01/17.01-feature_c-ddl.foo",
            "Warning NORTH005 17.01/17.01-feature_d-dl.sql",
            "Warning NORTH005 17.01/manual/17.01-feature_a-060-dml.foo",
            "Warning NORTH005 17.01/manual/17.01-feature_a-070-dl.sql",
            "Information NORTH016 17.1",
            // A --meta-psql: line in a ddl file: not manual for django-north (is_manual_migration
            // returns False unless the name ends in dml.sql) nor septentrion; the check says so.
            "Warning NORTH006 17.02/17.02-feature_c_fakemanual-ddl.sql:1",
            "Information NORTH016 17.2",
            "Information NORTH011 17.3",
            // schema_17.1.sql was meant for the symlinked 17.1; the template is filled with the
            // folder's spelling (django-north formats the known version string '17.01').
            "Warning NORTH018 schemas/schema_17.1.sql",
        ], Check("django-north/tests/test_data/sql"));
    }

    [Fact]
    public void SeptentrionTestData()
    {
        var result = Check("septentrion/tests/test_data/sql");
        Assert.Equal(
        [
            "Information NORTH011 16.9",
            "Information NORTH011 16.11",
            "Warning NORTH005 17.01/17.01-feature_c-ddl.foo",
            "Warning NORTH005 17.01/17.01-feature_d-dl.sql",
            "Warning NORTH005 17.01/manual/17.01-feature_a-060-dml.foo",
            "Warning NORTH005 17.01/manual/17.01-feature_a-070-dl.sql",
            "Error NORTH003 17.1",
            "Warning NORTH006 17.02/17.02-feature_c_fakemanual-ddl.sql:1",
            "Error NORTH003 17.2",
            "Information NORTH011 17.3",
            "Warning NORTH018 schemas/schema_17.1.sql",
        ], result);
        Assert.False(RepositoryCheck.IsClean(RepositoryCheck.Run(new NorthSettings { MigrationsRoot = Corpus.PathOf("septentrion/tests/test_data/sql") })));
    }

    [Theory]
    [InlineData("septentrion/example_migrations")]
    [InlineData("django-north/tests/north_project/sql")]
    public void RealisticRepositoriesAreClean(string relative)
    {
        Assert.Equal(["Information NORTH011 0.1"], Check(relative));
    }
}
