using North.Core.Repository;
using North.Core.Settings;
using North.Core.Versions;

namespace North.Core.Tests.Repository;

/// <summary>
/// Each corpus repository read literally: versions, then per version the files in run order with
/// kind and manual flag. Listing format: "relative/path Kind" plus " manual" when manual.
/// </summary>
public class CorpusDiscoveryTests
{
    private static MigrationRepository Load(string relative) =>
        MigrationRepository.Load(new NorthSettings { MigrationsRoot = Corpus.PathOf(relative) });

    private static string[] Listing(MigrationRepository repository) =>
        repository.Migrations.Select(m => $"{m.RelativePath} {m.Kind}{(m.IsManual ? " manual" : "")}").ToArray();

    private static string[] VersionTexts(MigrationRepository repository) =>
        repository.Versions.Select(v => v.Version.Text).ToArray();

    [Fact]
    public void DjangoNorthTestData()
    {
        // As django-north shipped it: 17.1 -> 17.01 and 17.2 -> 17.02 are symbolic links.
        using var temp = DjangoNorthTestLayout.Build(realLinks: true);
        var repository = MigrationRepository.Load(new NorthSettings { MigrationsRoot = temp.Path });

        // django-north 0.2.6 tests/test_management_migrations.py, test_get_known_versions:
        // ['16.9', '16.11', '16.12', '17.01', '17.02', '17.3'] (get_known_versions skips the
        // symlinks, os.path.islink, so 17.01 and 17.1 are not equal versions).
        Assert.Equal(["16.9", "16.11", "16.12", "17.01", "17.02", "17.3"], VersionTexts(repository));

        // test_build_migration_plan: plan1612, plan1701 (manual/040 sorted among the others, manual=True),
        // plan1702 (feature_b_manual-dml has --meta-psql: => manual; feature_c_fakemanual-ddl is a ddl
        // file, never manual). test_get_migrations_to_apply: -ddl.foo, -dl.sql, -dml.foo left out.
        Assert.Equal(
        [
            "16.12/16.12-0-version-dml.sql Dml",
            "17.01/17.01-0-version-dml.sql Dml",
            "17.01/17.01-feature_a-010-ddl.sql Ddl",
            "17.01/17.01-feature_a-020-ddl.sql Ddl",
            "17.01/17.01-feature_a-030-dml.sql Dml",
            "17.01/manual/17.01-feature_a-040-dml.sql Dml manual",
            "17.01/17.01-feature_a-050-ddl.sql Ddl",
            "17.01/17.01-feature_b-ddl.sql Ddl",
            "17.02/17.02-0-version-dml.sql Dml",
            "17.02/17.02-feature_a-ddl.sql Ddl",
            "17.02/17.02-feature_b_manual-dml.sql Dml manual",
            "17.02/17.02-feature_c_fakemanual-ddl.sql Ddl",
        ], Listing(repository));
        Assert.True(repository.Find(MigrationVersion.Parse("17.01"))!.Migrations.Single(m => m.InManualFolder).IsManual);

        Assert.Equal(
        [
            "17.01/17.01-feature_c-ddl.foo LookAlikeFile",
            "17.01/17.01-feature_d-dl.sql LookAlikeFile",
            "17.01/manual/17.01-feature_a-060-dml.foo LookAlikeFile",
            "17.01/manual/17.01-feature_a-070-dl.sql LookAlikeFile",
            "17.1 SymlinkedVersionFolder",
            "17.2 SymlinkedVersionFolder",
        ], repository.Ignored.Select(i => $"{i.RelativePath} {i.Reason}").Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void DjangoNorthTestDataWithTheLinksAsPlainFiles()
    {
        // A checkout that materializes the links as files holding the target's name: not
        // folders, so not versions either; the same versions and migrations.
        using var temp = DjangoNorthTestLayout.Build(realLinks: false);
        var repository = MigrationRepository.Load(new NorthSettings { MigrationsRoot = temp.Path });

        Assert.Equal(["16.9", "16.11", "16.12", "17.01", "17.02", "17.3"], VersionTexts(repository));
        Assert.Equal(12, repository.Migrations.Count());
        Assert.Equal(["17.1 VersionNamedFile", "17.2 VersionNamedFile"],
            repository.Ignored.Where(i => i.RelativePath.StartsWith("17.", StringComparison.Ordinal) && !i.RelativePath.Contains('/'))
                .Select(i => $"{i.RelativePath} {i.Reason}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void DjangoNorthProject()
    {
        var repository = Load("django-north/tests/north_project/sql");

        // The repository django-north's own migrate tests ran (tests/test_migrate_command.py):
        // versions 0.1 (schema only) to 1.3; 1.1-add-num-pages-2-dml.sql holds --meta-psql:do-until-0
        // and is a dml file, so is_manual_migration says True; every other dml file has no marker.
        Assert.Equal(["0.1", "1.0", "1.1", "1.2", "1.3"], VersionTexts(repository));
        Assert.Equal(ExampleListing, Listing(repository));
        Assert.Empty(repository.Ignored);
    }

    [Fact]
    public void SeptentrionExampleMigrations()
    {
        var repository = Load("septentrion/example_migrations");

        // septentrion files.get_known_versions / get_migrations_files_mapping, sorted by name in
        // core.build_migration_plan; is_manual_migration: a dml.sql file with a --meta-psql: line
        // (septentrion's endswith("dml.sql") rule, same as django-north's).
        Assert.Equal(["0.1", "1.0", "1.1", "1.2", "1.3"], VersionTexts(repository));
        Assert.Equal(ExampleListing, Listing(repository));
        Assert.Empty(repository.Ignored);
        Assert.Equal(MigrationVersion.Parse("1.3"), repository.LatestVersion);
    }

    // Both realistic repositories hold the same migrations.
    private static readonly string[] ExampleListing =
    [
        "1.0/1.0-0-version-dml.sql Dml",
        "1.0/1.0-author-1-ddl.sql Ddl",
        "1.0/1.0-author-2-dml.sql Dml",
        "1.0/1.0-book-1-ddl.sql Ddl",
        "1.0/1.0-book-2-dml.sql Dml",
        "1.1/1.1-0-version-dml.sql Dml",
        "1.1/1.1-add-num-pages-1-ddl.sql Ddl",
        "1.1/1.1-add-num-pages-2-dml.sql Dml manual",
        "1.1/1.1-index-ddl.sql Ddl",
        "1.2/1.2-0-version-dml.sql Dml",
        "1.2/1.2-remove-author-dob-ddl.sql Ddl",
        "1.2/1.2-rename-num-pages-ddl.sql Ddl",
        "1.3/1.3-0-version-dml.sql Dml",
        "1.3/1.3-add-readers-ddl.sql Ddl",
        "1.3/1.3-add-readers-dml.sql Dml",
        "1.3/1.3-remove-author-dob-ddl.sql Ddl",
        "1.3/1.3-rename-num-pages-ddl.sql Ddl",
    ];

    [Fact]
    public void SeptentrionTestDataHasEqualVersionsAndIsRefused()
    {
        // septentrion's get_known_versions keeps both 17.01 and 17.1 (Version tuples (17, 1) are
        // equal; both folders are real) and would run the same files under two versions.
        // DESIGN.md: equal versions are an error.
        var e = Assert.Throws<RepositoryException>(() => Load("septentrion/tests/test_data/sql"));
        Assert.Equal("NorthDuplicateVersion", e.ErrorId);
        Assert.Contains("'17.01' and '17.1'", e.Message);
        Assert.Contains("1 more problem", e.Message);
        Assert.EndsWith("17.1", e.Path);
    }

    [Fact]
    public void SeptentrionTestDataInCheckModeKeepsTheFirstSpelling()
    {
        var repository = MigrationRepository.Discover(
            new NorthSettings { MigrationsRoot = Corpus.PathOf("septentrion/tests/test_data/sql") },
            North.Core.Reporting.NullReporter.Instance, out var problems)!;

        Assert.Equal(["17.1", "17.2"], problems.Select(p => p.RelativePath!).ToArray());
        Assert.All(problems, p => Assert.Equal("NorthDuplicateVersion", p.ErrorId));
        Assert.Equal(["16.9", "16.11", "16.12", "17.01", "17.02", "17.3"], VersionTexts(repository));
        // Same files as django-north's copy of this data (septentrion's tests/test_data mirrors it).
        Assert.Equal(12, repository.Migrations.Count());
        Assert.Equal(["17.01/manual/17.01-feature_a-040-dml.sql", "17.02/17.02-feature_b_manual-dml.sql"],
            repository.Migrations.Where(m => m.IsManual).Select(m => m.RelativePath));
    }
}
