using North.Core.Repository;
using North.Core.Settings;
using North.Core.Versions;

namespace North.Core.Tests.Repository;

public class MigrationRepositoryTests
{
    private static MigrationRepository Load(TempFolder temp, NorthSettings? settings = null) =>
        MigrationRepository.Load((settings ?? new NorthSettings()) with { MigrationsRoot = temp.Path });

    private static MigrationVersion V(string text) => MigrationVersion.Parse(text);

    [Fact]
    public void VersionFoldersAreOrderedNumerically()
    {
        using var temp = new TempFolder();
        foreach (var name in new[] { "1.10", "1.9", "1.0.1", "1.0", "1.2", "007.1", "schemas", "docs" })
        {
            temp.Folder(name);
        }
        var repository = Load(temp);
        Assert.Equal(["1.0", "1.0.1", "1.2", "1.9", "1.10", "007.1"], repository.Versions.Select(v => v.Version.Text));
        Assert.Equal("1.9", repository.Find(V("1.09"))!.Version.Text);
        Assert.Null(repository.Find(V("2.0")));
        Assert.Equal("007.1", repository.LatestVersion!.Text);
    }

    [Fact]
    public void FilesAreOrderedByteWiseNotByCulture()
    {
        using var temp = new TempFolder();
        // Culture order puts "a-ddl" before "B-ddl" and ignores '-' and '_'; ordinal does not.
        foreach (var name in new[] { "b-ddl.sql", "B-ddl.sql", "a_2-dml.sql", "a-1-ddl.sql", "Z-ddl.sql", "é-ddl.sql" })
        {
            temp.Write("1.0/" + name, "select 1;");
        }
        temp.Write("1.0/manual/a-15-dml.sql");
        var names = Load(temp).Versions[0].Migrations.Select(m => m.Name);
        Assert.Equal(["B-ddl.sql", "Z-ddl.sql", "a-1-ddl.sql", "a-15-dml.sql", "a_2-dml.sql", "b-ddl.sql", "é-ddl.sql"], names);
    }

    [Fact]
    public void MigrationFileMembers()
    {
        using var temp = new TempFolder();
        temp.Write("1.0/manual/1.0-backfill-3-ddl.sql");
        var file = Load(temp).Migrations.Single();
        Assert.Equal("1.0", file.Version.Text);
        Assert.Equal("1.0-backfill-3-ddl.sql", file.Name);
        Assert.Equal("1.0/manual/1.0-backfill-3-ddl.sql", file.RelativePath);
        Assert.Equal(Path.Combine(Path.GetFullPath(temp.Path), "1.0", "manual", "1.0-backfill-3-ddl.sql"), file.Path);
        Assert.Equal(MigrationKind.Ddl, file.Kind);
        Assert.True(file.IsManual);
        Assert.True(file.InManualFolder);
    }

    [Fact]
    public void ManualMarkerFoundAcrossBufferBoundaries()
    {
        using var temp = new TempFolder();
        // The marker straddles the 16 KiB read buffer.
        temp.Write("1.0/a-dml.sql", new string('x', 16 * 1024 - 5) + "\n--meta-psql:do-until-0\n");
        temp.Write("1.0/b-dml.sql", new string('-', 40_000) + "\n--meta-psq\nl:\n");
        temp.Write("1.0/c-dml.sql", "update t set x = 1; --meta-psql:done\n");
        var manual = Load(temp).Migrations.ToDictionary(m => m.Name, m => m.IsManual);
        Assert.True(manual["a-dml.sql"]);
        Assert.False(manual["b-dml.sql"]);
        Assert.True(manual["c-dml.sql"]); // "a line containing": both originals test `in line`
    }

    [Fact]
    public void DiscoveryNeverOpensDdlFilesNorManualFiles()
    {
        using var temp = new TempFolder();
        temp.Write("1.0/1.0-ok-dml.sql", "select 1;");
        // Dangling links: opening either would throw, so loading proves they are not read.
        File.CreateSymbolicLink(Path.Combine(temp.Folder("1.0"), "1.0-a-ddl.sql"), "missing-target");
        File.CreateSymbolicLink(Path.Combine(temp.Folder("1.0/manual"), "1.0-b-dml.sql"), "missing-target");
        var repository = Load(temp);
        Assert.Equal(["1.0-a-ddl.sql", "1.0-b-dml.sql", "1.0-ok-dml.sql"], repository.Migrations.Select(m => m.Name));
    }

    [Fact]
    public void UnreadableDmlFileIsAnErrorNamingIt()
    {
        using var temp = new TempFolder();
        File.CreateSymbolicLink(Path.Combine(temp.Folder("1.0"), "1.0-a-dml.sql"), "missing-target");
        var e = Assert.Throws<RepositoryException>(() => Load(temp));
        Assert.Equal("NorthFileUnreadable", e.ErrorId);
        Assert.Contains("1.0/1.0-a-dml.sql", e.Message);
    }

    [Fact]
    public void IgnoreSymlinksSkipsLinkedMigrationFiles()
    {
        using var temp = new TempFolder();
        temp.Write("1.0/real-ddl.sql");
        File.CreateSymbolicLink(Path.Combine(temp.Path, "1.0", "linked-ddl.sql"), "real-ddl.sql");
        Assert.Equal(2, Load(temp).Migrations.Count());
        var repository = Load(temp, new NorthSettings { IgnoreSymlinks = true });
        Assert.Equal(["real-ddl.sql"], repository.Migrations.Select(m => m.Name));
        Assert.Equal(IgnoreReason.SymlinkedFile, repository.Ignored.Single().Reason);
    }

    [Fact]
    public void SameNameInFolderAndManualIsAnError()
    {
        using var temp = new TempFolder();
        temp.Write("1.0/1.0-x-dml.sql");
        temp.Write("1.0/manual/1.0-x-dml.sql");
        var e = Assert.Throws<RepositoryException>(() => Load(temp));
        Assert.Equal("NorthDuplicateMigration", e.ErrorId);
        Assert.Contains("1.0-x-dml.sql", e.Message);
        Assert.EndsWith(Path.Combine("manual", "1.0-x-dml.sql"), e.Path);
    }

    [Fact]
    public void MissingRootIsAnError()
    {
        using var temp = new TempFolder();
        var e = Assert.Throws<RepositoryException>(() => MigrationRepository.Load(new NorthSettings { MigrationsRoot = Path.Combine(temp.Path, "none") }));
        Assert.Equal("NorthRepositoryNotFound", e.ErrorId);
        Assert.EndsWith("none", e.Path);
    }

    // ---- schema and fixtures, on django-north's test data (test_get_fixtures_for_init) ----

    private static MigrationRepository DjangoNorthData(NorthSettings? settings = null) =>
        MigrationRepository.Load((settings ?? new NorthSettings()) with { MigrationsRoot = Corpus.PathOf("django-north/tests/test_data/sql") });

    [Fact]
    public void ClosestSchemaAtOrBelowTheTarget()
    {
        var repository = DjangoNorthData();
        // schemas: schema_16.12, schema_17.02, schema_17.1 (unused: folder is 17.01), schema_17.3.
        Assert.Equal("16.12", repository.GetInitVersion(V("16.12")).Text);
        Assert.Equal("16.12", repository.GetInitVersion(V("17.01")).Text);
        Assert.Equal("17.02", repository.GetInitVersion(V("17.02")).Text);
        Assert.Equal("17.3", repository.GetInitVersion(V("17.3")).Text);
        Assert.Equal("17.02", repository.GetInitVersion(V("17.2")).Text); // 17.2 is 17.02 on disk
        Assert.EndsWith(Path.Combine("schemas", "schema_17.02.sql"), repository.GetSchemaFile(V("17.2")));
        Assert.Null(repository.GetSchemaFile(V("17.01")));

        var e = Assert.Throws<RepositoryException>(() => repository.GetInitVersion(V("16.11")));
        Assert.Equal("NorthSchemaNotFound", e.ErrorId);
        Assert.Contains("schema_16.11.sql", e.Message);

        var missing = Assert.Throws<RepositoryException>(() => repository.GetInitVersion(V("18.0")));
        Assert.Equal("NorthVersionNotFound", missing.ErrorId);
        Assert.Contains("16.9, 16.11, 16.12, 17.01, 17.02, 17.3", missing.Message);
    }

    [Fact]
    public void ForcedSchemaVersion()
    {
        // septentrion's core.get_closest_version with force_version (tests/unit/test_core.py).
        var forced = DjangoNorthData(new NorthSettings { SchemaVersion = V("16.12") });
        Assert.Equal("16.12", forced.GetInitVersion(V("17.3")).Text);

        var above = Assert.Throws<RepositoryException>(() => DjangoNorthData(new NorthSettings { SchemaVersion = V("17.3") }).GetInitVersion(V("17.02")));
        Assert.Contains("above the target version 17.02", above.Message);

        var noFile = Assert.Throws<RepositoryException>(() => DjangoNorthData(new NorthSettings { SchemaVersion = V("17.01") }).GetInitVersion(V("17.3")));
        Assert.Contains("schema_17.01.sql", noFile.Message);

        var noFolder = Assert.Throws<RepositoryException>(() => DjangoNorthData(new NorthSettings { SchemaVersion = V("17.0") }).GetInitVersion(V("17.3")));
        Assert.Equal("NorthVersionNotFound", noFolder.ErrorId);
        Assert.Contains("SchemaVersion 17.0", noFolder.Message);
    }

    [Fact]
    public void ClosestFixtures()
    {
        // django-north test_get_fixtures_for_init: 16.12 -> 16.12, 17.01 -> 16.12, 16.11 -> none.
        var repository = DjangoNorthData();
        Assert.EndsWith(Path.Combine("fixtures", "fixtures_16.12.sql"), repository.GetFixturesFile(V("16.12")));
        Assert.EndsWith(Path.Combine("fixtures", "fixtures_16.12.sql"), repository.GetFixturesFile(V("17.01")));
        Assert.Null(repository.GetFixturesFile(V("16.11")));
        // "wrong template": foo.sql and foo{}.sql find nothing.
        Assert.Null(DjangoNorthData(new NorthSettings { FixturesTemplate = "foo.sql" }).GetFixturesFile(V("16.12")));
        Assert.Null(DjangoNorthData(new NorthSettings { FixturesTemplate = "foo{}.sql" }).GetFixturesFile(V("16.12")));
        Assert.EndsWith("fixtures_16.12.sql", DjangoNorthData(new NorthSettings { FixturesTemplate = "fixtures_{0}.sql" }).GetFixturesFile(V("17.3")));
    }

    [Fact]
    public void BeforeAndAfterSchemaEntries()
    {
        // The schemas/ folder django-north's test data ships for NORTH_BEFORE/AFTER_SCHEMA_FILES: a file, a
        // folder ('dir' gives file_00..02) and a glob ('glob_*.sql').
        var repository = DjangoNorthData(new NorthSettings
        {
            BeforeSchemaFiles = ["extension.sql", "roles.sql"],
            AfterSchemaFiles = ["grants.sql", "dir", "glob_*.sql"],
        });
        string Rel(string p) => Path.GetRelativePath(repository.SchemasFolder, p).Replace('\\', '/');
        Assert.Equal(["extension.sql", "roles.sql"], repository.ResolveBeforeSchemaFiles().Select(Rel));
        Assert.Equal(["grants.sql", "dir/file_00.sql", "dir/file_01.sql", "dir/file_02.sql", "glob_00.sql", "glob_01.sql", "glob_02.sql"],
            repository.ResolveAfterSchemaFiles().Select(Rel));
    }

    [Fact]
    public void SchemaEntryMatchingNothingNamesTheSetting()
    {
        var repository = DjangoNorthData(new NorthSettings
        {
            AfterSchemaFiles = ["nope_*.sql"],
            Sources = new Dictionary<string, SettingSource> { ["AfterSchemaFiles"] = new(SettingSourceKind.NorthJson, "sql/north.json line 3") },
        });
        var e = Assert.Throws<RepositoryException>(() => repository.ResolveAfterSchemaFiles());
        Assert.Equal("NorthSchemaFileNotFound", e.ErrorId);
        Assert.Contains("AfterSchemaFiles entry 'nope_*.sql' (from sql/north.json line 3)", e.Message);
        Assert.Empty(repository.ResolveBeforeSchemaFiles());
    }

    [Fact]
    public void TargetVersionDefaultsToTheLatest()
    {
        Assert.Equal("17.3", DjangoNorthData().GetTargetVersion().Text);
        Assert.Equal("17.02", DjangoNorthData(new NorthSettings { TargetVersion = V("17.2") }).GetTargetVersion().Text);
        Assert.Throws<RepositoryException>(() => DjangoNorthData(new NorthSettings { TargetVersion = V("17.4") }).GetTargetVersion());
    }
}
