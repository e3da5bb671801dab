using North.Core.Repository;
using North.Core.Settings;

namespace North.Core.Tests.Repository;

/// <summary>The repository check on each corpus repository, every diagnostic asserted.</summary>
public class RepositoryCheckCorpusTests
{
    private static string[] Check(string relative) => CheckFolder(Corpus.PathOf(relative));

    private static string[] CheckFolder(string root) =>
        RepositoryCheck.Run(new NorthSettings { MigrationsRoot = root })
            .Select(d => $"{d.Severity} {d.Code} {d.Path}{(d.Line is null ? "" : ":" + d.Line)}")
            .ToArray();

    [Fact]
    public void DjangoNorthTestData()
    {
        // As django-north shipped it: 17.1 and 17.2 are symbolic links to 17.01 and 17.02, ignored.
        using var temp = DjangoNorthTestLayout.Build(realLinks: true);
        Assert.Equal(
        [
            "Information NORTH011 16.9",
            "Information NORTH011 16.11",
            "Warning NORTH005 17.01/17.01-feature_c-ddl.foo",
            "Warning NORTH005 17.01/17.01-feature_d-dl.sql",
            "Warning NORTH005 17.01/manual/17.01-feature_a-060-dml.foo",
            "Warning NORTH005 17.01/manual/17.01-feature_a-070-dl.sql",
            "Information NORTH014 17.1",
            // A --meta-psql: line in a ddl file: not manual for django-north (is_manual_migration
            // returns False unless the name ends in dml.sql) nor septentrion; the check says so.
            "Warning NORTH006 17.02/17.02-feature_c_fakemanual-ddl.sql:1",
            "Information NORTH014 17.2",
            "Information NORTH011 17.3",
            // schema_17.1.sql was meant for the symlinked 17.1; the template is filled with the
            // folder's spelling (django-north formats the known version string '17.01').
            "Warning NORTH018 schemas/schema_17.1.sql",
        ], CheckFolder(temp.Path));
    }

    [Fact]
    public void DjangoNorthTestDataWithTheLinksAsPlainFiles()
    {
        // Where a checkout made the links plain files holding the target's name: not used, said so.
        using var temp = DjangoNorthTestLayout.Build(realLinks: false);
        var found = CheckFolder(temp.Path);
        Assert.Equal(["Information NORTH016 17.1", "Information NORTH016 17.2"], found.Where(f => f.EndsWith(" 17.1", StringComparison.Ordinal) || f.EndsWith(" 17.2", StringComparison.Ordinal)));
        Assert.DoesNotContain(found, f => f.StartsWith("Error", StringComparison.Ordinal));
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
