using North.Core.Repository;
using North.Core.Settings;
using North.Core.Versions;

namespace North.Core.Tests.Repository;

/// <summary>Each diagnostic code on a small repository built for it.</summary>
public class RepositoryCheckTests
{
    private static List<RepositoryDiagnostic> Check(TempFolder temp, NorthSettings? settings = null) =>
        RepositoryCheck.Run((settings ?? new NorthSettings()) with { MigrationsRoot = temp.Path })
            .Where(d => !d.Code.StartsWith("NORTH1", StringComparison.Ordinal)).ToList(); // lock-risk rules: LockRiskCheckTests

    private static string[] Codes(IEnumerable<RepositoryDiagnostic> diagnostics) =>
        diagnostics.Select(d => $"{d.Code} {d.Path}{(d.Line is null ? "" : ":" + d.Line)}").ToArray();

    /// <summary>A valid repository: 1.0 with a schema, so only the case under test shows.</summary>
    private static TempFolder Repository()
    {
        var temp = new TempFolder();
        temp.Write("schemas/schema_1.0.sql", "create table t (id int);");
        temp.Write("1.0/1.0-0-version-dml.sql", "insert into t values (1);");
        return temp;
    }

    [Fact]
    public void CleanRepositoryHasNoFinding()
    {
        using var temp = Repository();
        Assert.Empty(Check(temp));
        Assert.True(RepositoryCheck.IsClean(Check(temp)));
    }

    [Fact]
    public void TheCheckAcceptsWhatARunAcceptsAndRefusesWhatItRefuses()
    {
        using var temp = Repository();
        temp.Write("1.0/1.0-1-psql-ddl.sql",
            "SELECT current_setting('search_path') AS db_path \\gset\n\\if :{?db_path}\nALTER DATABASE :\"DBNAME\" SET search_path TO :db_path;\n\\else\n\\echo no\n\\endif\n" +
            "SELECT 'CREATE TABLE g (a int)' \\gexec\n\\o\n\\x\nCOPY t FROM stdin; -- data follows\n1\n\\.\n\\q\n\\bogus after the end\n");
        temp.Write("1.0/1.0-2-shell-ddl.sql", "SELECT 1;\n\\! ls\n");
        temp.Write("1.0/1.0-3-variable-ddl.sql", "\\if :use_app\nCREATE SCHEMA app;\n\\endif\n\\if true\nSELECT 1;\n");
        var diagnostics = Check(temp, new NorthSettings { Variables = new Dictionary<string, string> { ["use_app"] = "on" } });
        Assert.Equal(["NORTH020 1.0/1.0-2-shell-ddl.sql:2", "NORTH020 1.0/1.0-3-variable-ddl.sql:4"], Codes(diagnostics));
        Assert.Contains("never runs shell commands", diagnostics[0].Message);
        Assert.Contains("\\endif", diagnostics[1].Message);
    }

    [Fact]
    public void MissingRoot()
    {
        using var temp = new TempFolder();
        var diagnostics = RepositoryCheck.Run(new NorthSettings { MigrationsRoot = Path.Combine(temp.Path, "gone") });
        var d = Assert.Single(diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, "NORTH001", "."), (d.Severity, d.Code, d.Path));
    }

    [Fact]
    public void UnparsableVersionFolder()
    {
        using var temp = Repository();
        temp.Write("1.1-rc/1.1-rc-x-ddl.sql");
        temp.Folder("v2.0");
        var diagnostics = Check(temp);
        Assert.Equal(["NORTH002 1.1-rc", "NORTH002 v2.0"], Codes(diagnostics));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Contains("'1.1-rc' is not a version", diagnostics[0].Message);
    }

    [Fact]
    public void LookAlikeFiles()
    {
        using var temp = Repository();
        foreach (var name in new[] { "1.0-a-DDL.SQL", "1.0-b-ddl.SQL", "1.0-c-dl.sql", "1.0-d.sql", "1.0-e-ddl.foo", "1.0-f-dml.sql.bak", "README.md", ".empty" })
        {
            temp.Write("1.0/" + name);
        }
        var diagnostics = Check(temp);
        Assert.Equal(
        [
            "NORTH005 1.0/1.0-a-DDL.SQL", "NORTH005 1.0/1.0-b-ddl.SQL", "NORTH005 1.0/1.0-c-dl.sql", "NORTH005 1.0/1.0-d.sql",
            "NORTH005 1.0/1.0-e-ddl.foo", "NORTH005 1.0/1.0-f-dml.sql.bak", "NORTH016 1.0/README.md",
        ], Codes(diagnostics));
        Assert.Contains("not in lower case", diagnostics[0].Message);
    }

    [Fact]
    public void MetaCommands()
    {
        using var temp = Repository();
        temp.Write("1.0/1.0-a-ddl.sql", "select 1;\n--meta-psql:do-until-0\nupdate t set id = 2;\n--meta-psql:done\n");
        temp.Write("1.0/1.0-b-dml.sql", "--meta-psql:do-until-0\nupdate t set id = 2;\n--meta-psql:repeat\n--meta-psql:done\n--meta-psql:done\n");
        temp.Write("1.0/manual/1.0-c-dml.sql", "--meta-psql:do-until-0\n--meta-psql:do-until-0\nupdate t set id = 3;\n");
        temp.Write("1.0/manual/1.0-d-ddl.sql", "-- manual ddl: markers count\n  --meta-psql:do-until-0  \r\ndelete from t;\r\n--meta-psql:done\r\n");
        var diagnostics = Check(temp);
        Assert.Equal(
        [
            "NORTH006 1.0/1.0-a-ddl.sql:2",
            "NORTH007 1.0/1.0-b-dml.sql:3",
            "NORTH008 1.0/1.0-b-dml.sql:5",
            "NORTH008 1.0/manual/1.0-c-dml.sql:1",
            "NORTH008 1.0/manual/1.0-c-dml.sql:2",
        ], Codes(diagnostics));
        Assert.Contains("'--meta-psql:repeat'", diagnostics[1].Message);
        Assert.Contains("never closed", diagnostics[3].Message);
        Assert.Contains("do not nest", diagnostics[4].Message);
    }

    [Fact]
    public void TargetWithoutFolder()
    {
        using var temp = Repository();
        var diagnostics = Check(temp, new NorthSettings
        {
            TargetVersion = MigrationVersion.Parse("2.0"),
            Sources = new Dictionary<string, SettingSource> { ["TargetVersion"] = new(SettingSourceKind.Parameter, "parameter -TargetVersion") },
        });
        var d = Assert.Single(diagnostics);
        Assert.Equal(("NORTH009", DiagnosticSeverity.Error), (d.Code, d.Severity));
        Assert.Contains("2.0 (from parameter -TargetVersion) has no folder. Versions on disk: 1.0.", d.Message);
    }

    [Fact]
    public void NoSchemaAtOrBelowTheTarget()
    {
        using var temp = Repository();
        File.Move(Path.Combine(temp.Path, "schemas", "schema_1.0.sql"), Path.Combine(temp.Path, "schemas", "schema_1.1.sql"));
        temp.Write("1.1/1.1-x-ddl.sql");
        Assert.Empty(Check(temp));
        Assert.Equal(["NORTH010 schemas"], Codes(Check(temp, new NorthSettings { TargetVersion = MigrationVersion.Parse("1.0") })));
        Assert.Equal(["NORTH010 schemas"], Codes(Check(temp, new NorthSettings { SchemaVersion = MigrationVersion.Parse("1.0") })));
    }

    [Fact]
    public void EmptyVersionIsInformation()
    {
        using var temp = Repository();
        temp.Write("1.1/.empty");
        var d = Assert.Single(Check(temp));
        Assert.Equal(("NORTH011", DiagnosticSeverity.Information, "1.1"), (d.Code, d.Severity, d.Path));
    }

    [Fact]
    public void InvalidUtf8NamesTheLine()
    {
        using var temp = Repository();
        var path = temp.Write("1.0/1.0-latin1-dml.sql");
        File.WriteAllBytes(path, [.. "select 1;\n-- caf"u8, 0xE9, .. "\nselect 2;\n"u8]);
        var d = Assert.Single(Check(temp));
        Assert.Equal(("NORTH013", DiagnosticSeverity.Error, "1.0/1.0-latin1-dml.sql", (int?)2), (d.Code, d.Severity, d.Path, d.Line));
    }

    [Fact]
    public void BomAndCrLfAreFine()
    {
        using var temp = Repository();
        var path = temp.Write("1.0/1.0-bom-dml.sql");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "--meta-psql:do-until-0\r\ndelete from t;\r\n--meta-psql:done"u8]);
        Assert.Empty(Check(temp));
    }

    [Fact]
    public void DuplicatesAreErrorsNotExceptions()
    {
        using var temp = Repository();
        temp.Write("1.00/1.00-x-ddl.sql");
        temp.Write("1.0/manual/1.0-0-version-dml.sql");
        var diagnostics = Check(temp);
        Assert.Equal(["NORTH004 1.0/manual/1.0-0-version-dml.sql", "NORTH003 1.00"], Codes(diagnostics));
        Assert.False(RepositoryCheck.IsClean(diagnostics));
    }

    [Fact]
    public void SymlinksAndStrayFolders()
    {
        using var temp = Repository();
        Directory.CreateSymbolicLink(Path.Combine(temp.Path, "1.1"), "1.0");
        temp.Write("1.0/old/1.0-x-ddl.sql");
        File.CreateSymbolicLink(Path.Combine(temp.Path, "1.0", "1.0-link-ddl.sql"), "1.0-0-version-dml.sql");
        Assert.Equal(["NORTH016 1.0/old", "NORTH014 1.1"], Codes(Check(temp)));
        Assert.Equal(["NORTH015 1.0/1.0-link-ddl.sql", "NORTH016 1.0/old", "NORTH014 1.1"], Codes(Check(temp, new NorthSettings { IgnoreSymlinks = true })));
    }

    [Fact]
    public void SchemaEntriesAndOrphanSchemaFiles()
    {
        using var temp = Repository();
        temp.Write("schemas/schema_0.9.sql");
        temp.Write("fixtures/fixtures_01.0.sql");
        var diagnostics = Check(temp, new NorthSettings { BeforeSchemaFiles = ["roles.sql"], AfterSchemaFiles = ["grants/*.sql"] });
        Assert.Equal(["NORTH018 fixtures/fixtures_01.0.sql", "NORTH017 schemas", "NORTH017 schemas", "NORTH018 schemas/schema_0.9.sql"], Codes(diagnostics));
        Assert.Contains("BeforeSchemaFiles entry 'roles.sql'", diagnostics[1].Message + diagnostics[2].Message);
        Assert.Contains("AfterSchemaFiles entry 'grants/*.sql'", diagnostics[1].Message + diagnostics[2].Message);
    }

    [Fact]
    public void NonTransactionalStatementInsideBeginCommit()
    {
        using var temp = Repository();
        temp.Write("1.0/1.0-a-ddl.sql", "BEGIN;\nALTER TABLE t ADD c int;\nCREATE UNIQUE INDEX\n  CONCURRENTLY t_c ON t (c);\nCOMMIT;\n");
        temp.Write("1.0/1.0-b-ddl.sql", "CREATE INDEX CONCURRENTLY t_id ON t (id);\nBEGIN;\nSELECT 'VACUUM';\n-- VACUUM in a comment\nCOMMIT;\nVACUUM t;\n");
        temp.Write("1.0/1.0-c-dml.sql", "begin;\nvacuum analyze t;\ncommit;\n");
        temp.Write("1.0/1.0-d-ddl.sql", "BEGIN;\nREFRESH MATERIALIZED VIEW CONCURRENTLY mv;\nCOMMIT;\n");
        var diagnostics = Check(temp);
        Assert.Equal(["NORTH012 1.0/1.0-a-ddl.sql:3", "NORTH012 1.0/1.0-c-dml.sql:2"], Codes(diagnostics));
        Assert.Contains("CREATE ... CONCURRENTLY cannot run inside a transaction block, and this file opens one with BEGIN on line 1", diagnostics[0].Message);
        Assert.Contains("'vacuum analyze t;'", diagnostics[1].Message);
    }

    [Fact]
    public void AConnectARunRefusesIsReportedWhereItIs()
    {
        using var temp = Repository();
        temp.Write("1.0/1.0-a-ddl.sql", "\\connect\nCREATE TABLE a (id int);\n");
        temp.Write("1.0/1.0-b-ddl.sql", "CREATE TABLE b (id int);\n\\c\nCREATE TABLE c (id int);\n");
        temp.Write("1.0/1.0-c-ddl.sql", "CREATE INDEX CONCURRENTLY t_i ON t (id);\n\\connect\nBEGIN;\nCREATE TABLE d (id int);\n\\connect\nCOMMIT;\n");
        Assert.Equal(["NORTH025 1.0/1.0-b-ddl.sql:2", "NORTH025 1.0/1.0-c-ddl.sql:5"], Codes(Check(temp)));
    }

    [Fact]
    public void FileThePsqlReaderRefuses()
    {
        using var temp = Repository();
        temp.Write("1.0/1.0-a-ddl.sql", "SELECT 1;\n\\frobnicate\nSELECT 2;\n");
        var d = Assert.Single(Check(temp));
        Assert.Equal(("NORTH020", DiagnosticSeverity.Error, (int?)2), (d.Code, d.Severity, d.Line));
    }
}
