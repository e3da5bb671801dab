using North.Core.Settings;
using North.Core.Tests.Repository;
using North.Core.Versions;

namespace North.Core.Tests.Settings;

public class SettingsLoaderTests
{
    private static readonly Dictionary<string, string> NoEnvironment = new();

    private static NorthSettings Load(TempFolder temp, SettingsOverrides? parameters = null, Dictionary<string, string>? environment = null, string? cwd = null) =>
        SettingsLoader.Load(parameters ?? new SettingsOverrides { MigrationsRoot = temp.Path }, cwd ?? temp.Path, environment ?? NoEnvironment);

    [Fact]
    public void DefaultsWhenNothingIsSet()
    {
        using var temp = new TempFolder();
        var settings = Load(temp, new SettingsOverrides());

        Assert.Equal(Path.GetFullPath(temp.Path), settings.MigrationsRoot);
        Assert.Equal(SettingSourceKind.Default, settings.SourceOf(nameof(NorthSettings.MigrationsRoot)).Kind);
        Assert.Null(settings.TargetVersion);
        Assert.Equal("schema_{}.sql", settings.SchemaTemplate);
        Assert.Equal("fixtures_{}.sql", settings.FixturesTemplate);
        Assert.Equal(["CONCURRENTLY", "ALTER TYPE", "VACUUM"], settings.NonTransactionalKeywords);
        Assert.Equal(HistoryStyle.North, settings.HistoryStyle);
        Assert.Equal(VersionDetector.History, settings.VersionDetector);
        Assert.Equal("sql_version", settings.VersionTable);
        Assert.Equal("version_num", settings.VersionTableColumn);
        Assert.Equal("django_site", settings.CommentTable);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.LockTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.DdlLockTimeout);
        Assert.Equal(5, settings.LockRetries);
        Assert.False(settings.RebuildInvalidIndexes);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.LongTransactionThreshold);
        Assert.False(settings.IgnoreSymlinks);
        Assert.Equal(SettingSourceKind.Default, settings.SourceOf(nameof(NorthSettings.SchemaTemplate)).Kind);
    }

    [Fact]
    public void EachSourceOverridesTheWeakerOnes()
    {
        using var temp = new TempFolder();
        temp.Write("septentrion.ini", "[septentrion]\ntarget_version = 5.0\nschema_template = ini_{}.sql\n");
        temp.Write("north.json", "{ \"TargetVersion\": \"4.0\", \"FixturesTemplate\": \"json_{}.sql\" }");
        var environment = new Dictionary<string, string>
        {
            ["SEPTENTRION_TARGET_VERSION"] = "3.0",
            ["NORTH_TARGET_VERSION"] = "2.0",
            ["SEPTENTRION_TABLE"] = "my_migrations",
            ["NORTH_HOST"] = "db.example",
        };
        var parameters = new SettingsOverrides { MigrationsRoot = temp.Path, TargetVersion = MigrationVersion.Parse("1.0") };

        (string Version, SettingSourceKind Kind) Target(SettingsOverrides p, Dictionary<string, string> env)
        {
            var s = Load(temp, p, env);
            return (s.TargetVersion!.Text, s.SourceOf(nameof(NorthSettings.TargetVersion)).Kind);
        }

        Assert.Equal(("1.0", SettingSourceKind.Parameter), Target(parameters, environment));
        var withoutParameter = parameters with { TargetVersion = null };
        Assert.Equal(("2.0", SettingSourceKind.NorthEnvironment), Target(withoutParameter, environment));
        environment.Remove("NORTH_TARGET_VERSION");
        Assert.Equal(("3.0", SettingSourceKind.SeptentrionEnvironment), Target(withoutParameter, environment));
        environment.Remove("SEPTENTRION_TARGET_VERSION");
        Assert.Equal(("4.0", SettingSourceKind.NorthJson), Target(withoutParameter, environment));
        File.Delete(Path.Combine(temp.Path, "north.json"));
        Assert.Equal(("5.0", SettingSourceKind.SeptentrionIni), Target(withoutParameter, environment));

        var settings = Load(temp, withoutParameter, environment);
        Assert.Equal("ini_{}.sql", settings.SchemaTemplate);
        Assert.Equal("my_migrations", settings.HistoryTable);
        Assert.Equal("environment variable SEPTENTRION_TABLE", settings.SourceOf(nameof(NorthSettings.HistoryTable)).Description);
        Assert.Equal("db.example", settings.Host);
        Assert.Equal(SettingSourceKind.Parameter, settings.SourceOf(nameof(NorthSettings.MigrationsRoot)).Kind);
    }

    [Fact]
    public void VariablesComeFromParameterEnvironmentOrNorthJsonAndNamesAreChecked()
    {
        using var temp = new TempFolder();
        temp.Write("north.json", "{ \"Variables\": { \"app_schema\": \"app\", \"owner\": \"dba=1\" } }");
        Assert.Equal(new Dictionary<string, string> { ["app_schema"] = "app", ["owner"] = "dba=1" }, Load(temp).Variables);
        var env = new Dictionary<string, string> { ["NORTH_VARIABLES"] = "a=1, b = x y " };
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = " x y" }, Load(temp, environment: env).Variables);
        var parameter = Load(temp, new SettingsOverrides { MigrationsRoot = temp.Path, Variables = new Dictionary<string, string> { ["p"] = "v" } }, env);
        Assert.Equal(new Dictionary<string, string> { ["p"] = "v" }, parameter.Variables);
        Assert.Equal(SettingSourceKind.Parameter, parameter.SourceOf("Variables").Kind);

        var bad = Assert.Throws<SettingsException>(() => Load(temp, new SettingsOverrides { MigrationsRoot = temp.Path, Variables = new Dictionary<string, string> { ["no-dash"] = "v" } }));
        Assert.Contains("parameter -Variable", bad.Message);
        Assert.Contains("'no-dash' is not a psql variable name", bad.Message);
        Assert.Throws<SettingsException>(() => Load(temp, environment: new Dictionary<string, string> { ["NORTH_VARIABLES"] = "novalue" }));
        temp.Write("north.json", "{ \"Variables\": [\"a=1\"] }");
        Assert.Contains("must be an object of strings", Assert.Throws<SettingsException>(() => Load(temp)).Message);
    }

    [Fact]
    public void SeptentrionIniAsSeptentrionWroteIt()
    {
        // septentrion's tests/test_data/config_file.ini: multi-line lists, one entry per line.
        using var temp = new TempFolder();
        File.Copy(Corpus.PathOf("septentrion/tests/test_data/config_file.ini"), Path.Combine(temp.Path, "septentrion.ini"));

        var settings = Load(temp);

        Assert.Equal("20.10", settings.SchemaVersion!.Text);
        Assert.Equal("20.11", settings.TargetVersion!.Text);
        Assert.Equal("schema_{}.sql", settings.SchemaTemplate);
        Assert.Equal(["roles.sql"], settings.BeforeSchemaFiles);
        Assert.Equal(["after_schemas.sql"], settings.AfterSchemaFiles);
        Assert.Equal("fixtures_{}.sql", settings.FixturesTemplate);
        Assert.EndsWith("septentrion.ini line 5", settings.SourceOf(nameof(NorthSettings.BeforeSchemaFiles)).Description);
        // A septentrion repository keeps its history where septentrion wrote it.
        Assert.Equal(HistoryStyle.Septentrion, settings.HistoryStyle);
        Assert.StartsWith("implied by ", settings.SourceOf(nameof(NorthSettings.HistoryStyle)).Description);
    }

    [Fact]
    public void SeptentrionIniListsAndDeprecatedAdditionalFiles()
    {
        // septentrion's tests/unit/test_configuration.py, test_get_config_files_settings.
        using var temp = new TempFolder();
        temp.Write("septentrion.ini", """
            [other]
            table = not_read
            [septentrion]
            # a comment
            before_schema_file=
                before.sql
                another_before.sql
            additional_schema_file=
                more.sql
            after_schema_file=
                after.sql

                another_after.sql
            non_transactional_keyword: CONCURRENTLY
            ignore_symlinks = true
            verbosity = 3
            dbname = shop
            """);

        var settings = Load(temp);

        Assert.Equal(["before.sql", "another_before.sql", "more.sql"], settings.BeforeSchemaFiles);
        Assert.Equal(["after.sql", "another_after.sql"], settings.AfterSchemaFiles);
        Assert.Equal(["CONCURRENTLY"], settings.NonTransactionalKeywords);
        Assert.True(settings.IgnoreSymlinks);
        Assert.Equal("shop", settings.Database);
        Assert.Null(settings.HistoryTable);
    }

    [Fact]
    public void SeptentrionIniInTheCurrentFolderCanNameTheRoot()
    {
        using var work = new TempFolder();
        work.Folder("migrations/1.0");
        work.Write("septentrion.ini", "[septentrion]\nmigrations_root = migrations\ntarget_version = 1.0\n");

        var settings = SettingsLoader.Load(new SettingsOverrides(), work.Path, NoEnvironment);

        Assert.Equal(Path.Combine(Path.GetFullPath(work.Path), "migrations"), settings.MigrationsRoot);
        Assert.Equal("1.0", settings.TargetVersion!.Text);
        Assert.Equal(SettingSourceKind.SeptentrionIni, settings.SourceOf(nameof(NorthSettings.MigrationsRoot)).Kind);
    }

    [Fact]
    public void IniInTheRootWinsOverTheCurrentFolder()
    {
        using var work = new TempFolder();
        work.Write("septentrion.ini", "[septentrion]\nschema_template = cwd_{}.sql\n");
        work.Write("sql/septentrion.ini", "[septentrion]\nschema_template = root_{}.sql\n");
        var settings = SettingsLoader.Load(new SettingsOverrides { MigrationsRoot = "sql" }, work.Path, NoEnvironment);
        Assert.Equal("root_{}.sql", settings.SchemaTemplate);

        File.Delete(Path.Combine(work.Path, "sql", "septentrion.ini"));
        settings = SettingsLoader.Load(new SettingsOverrides { MigrationsRoot = "sql" }, work.Path, NoEnvironment);
        Assert.Equal("cwd_{}.sql", settings.SchemaTemplate);
    }

    [Fact]
    public void IniWithoutSeptentrionSectionIsIgnored()
    {
        using var temp = new TempFolder();
        temp.Write("septentrion.ini", "[stuff]\ntable = x\n");
        var settings = Load(temp);
        Assert.Null(settings.HistoryTable);
        Assert.Equal(HistoryStyle.North, settings.HistoryStyle);
    }

    [Fact]
    public void NorthJsonWithCommentsAndEveryKind()
    {
        using var temp = new TempFolder();
        temp.Write("north.json", """
            // repository settings
            {
              "$schema": "../src/North.Core/Settings/north.schema.json",
              "TargetVersion": "1.10", /* kept as written */
              "BeforeSchemaFiles": ["roles.sql", "extensions/"],
              "AfterSchemaFiles": "grants.sql",
              "IgnoreSymlinks": true,
              "HistoryStyle": "DjangoNorth",
              "VersionDetector": "tablecomment",
              "LockTimeout": 30,
              "DdlLockTimeout": "500ms",
              "DdlStatementTimeout": "00:02:00",
              "Port": 5433,
            }
            """);

        var settings = Load(temp);

        Assert.Equal("1.10", settings.TargetVersion!.Text);
        Assert.Equal(["roles.sql", "extensions/"], settings.BeforeSchemaFiles);
        Assert.Equal(["grants.sql"], settings.AfterSchemaFiles);
        Assert.True(settings.IgnoreSymlinks);
        Assert.Equal(HistoryStyle.DjangoNorth, settings.HistoryStyle);
        Assert.Equal(VersionDetector.TableComment, settings.VersionDetector);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.LockTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.DdlLockTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.DdlStatementTimeout);
        Assert.Equal(5433, settings.Port);
        Assert.EndsWith("north.json line 4", settings.SourceOf(nameof(NorthSettings.TargetVersion)).Description);
    }

    [Fact]
    public void EnvironmentListsAreCommaSeparatedAndEmptyVariablesUnset()
    {
        using var temp = new TempFolder();
        var settings = Load(temp, environment: new()
        {
            ["NORTH_BEFORE_SCHEMA_FILES"] = "roles.sql, extensions/ ,",
            ["SEPTENTRION_NON_TRANSACTIONAL_KEYWORD"] = "CONCURRENTLY,VACUUM",
            ["NORTH_LOCK_TIMEOUT"] = "2min",
            ["NORTH_IGNORE_SYMLINKS"] = "yes",
            ["NORTH_SCHEMA_TEMPLATE"] = "",
            ["SEPTENTRION_PASSWORD"] = "s3cret",
            ["SEPTENTRION_MIGRATION_ROOT"] = temp.Path,
        }, parameters: new SettingsOverrides());

        Assert.Equal(["roles.sql", "extensions/"], settings.BeforeSchemaFiles);
        Assert.Equal(["CONCURRENTLY", "VACUUM"], settings.NonTransactionalKeywords);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.LockTimeout);
        Assert.True(settings.IgnoreSymlinks);
        Assert.Equal("schema_{}.sql", settings.SchemaTemplate);
        Assert.Equal("s3cret", settings.Password);
        Assert.Equal("environment variable SEPTENTRION_MIGRATION_ROOT", settings.SourceOf(nameof(NorthSettings.MigrationsRoot)).Description);
        Assert.DoesNotContain("s3cret", settings.ToString());
    }

    // ---- malformed input: every error names its source ----

    private static SettingsException Fails(TempFolder temp, Dictionary<string, string>? environment = null, SettingsOverrides? parameters = null) =>
        Assert.Throws<SettingsException>(() => Load(temp, parameters, environment));

    [Fact]
    public void BadJsonNamesTheFileAndLine()
    {
        using var temp = new TempFolder();
        temp.Write("north.json", "{\n  \"TargetVersion\": \"1.0\"\n  \"SchemaTemplate\": \"x\"\n}");
        var e = Fails(temp);
        Assert.Equal("NorthSettingsInvalid", e.ErrorId);
        Assert.Contains("north.json line 3", e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void UnknownJsonKeyIsAnErrorWithASuggestion()
    {
        using var temp = new TempFolder();
        temp.Write("north.json", "{\n  \"SchemaTemplate\": \"s_{}.sql\",\n  \"TargetVersoin\": \"1.0\"\n}");
        var e = Fails(temp);
        Assert.Contains("north.json line 3", e.Message);
        Assert.Contains("unknown key 'TargetVersoin'", e.Message);
        Assert.Contains("Did you mean 'TargetVersion'?", e.Message);
        Assert.EndsWith("north.json line 3", e.Origin);
    }

    [Fact]
    public void SecretsAreRefusedInNorthJson()
    {
        using var temp = new TempFolder();
        temp.Write("north.json", "{ \"Password\": \"x\" }");
        Assert.Contains("could leak a password", Fails(temp).Message);
    }

    [Fact]
    public void UnknownIniKeyIsAnError()
    {
        using var temp = new TempFolder();
        temp.Write("septentrion.ini", "[septentrion]\ntarget_verison = 1.0\n");
        var e = Fails(temp);
        Assert.Contains("septentrion.ini line 2", e.Message);
        Assert.Contains("Did you mean 'target_version'?", e.Message);
    }

    [Theory]
    [InlineData("north.json", "{ \"TargetVersion\": \"1.0-rc\" }", "north.json line 1")]
    [InlineData("north.json", "{ \"SchemaVersion\": 1.10 }", "north.json line 1")]
    [InlineData("septentrion.ini", "[septentrion]\nschema_version = 1..2\n", "septentrion.ini line 2")]
    public void BadVersionInAFile(string file, string content, string source)
    {
        using var temp = new TempFolder();
        temp.Write(file, content);
        var e = Fails(temp);
        Assert.Contains(source, e.Message);
        Assert.Contains("Version", e.Message);
    }

    [Theory]
    [InlineData("NORTH_TARGET_VERSION", "v2", "is not a version")]
    [InlineData("SEPTENTRION_SCHEMA_VERSION", "1.x", "is not a version")]
    [InlineData("NORTH_PORT", "70000", "is not a TCP port")]
    [InlineData("NORTH_LOCK_TIMEOUT", "soon", "is not a duration")]
    [InlineData("NORTH_HISTORY_STYLE", "1", "is not one of North, Septentrion, DjangoNorth")]
    [InlineData("NORTH_IGNORE_SYMLINKS", "perhaps", "is not a boolean")]
    public void BadValueInAVariable(string variable, string value, string reason)
    {
        using var temp = new TempFolder();
        var e = Fails(temp, new() { [variable] = value });
        Assert.Contains("environment variable " + variable, e.Message);
        Assert.Contains(reason, e.Message);
        Assert.Equal("environment variable " + variable, e.Origin);
    }

    [Fact]
    public void MissingRootNamesTheParameter()
    {
        using var temp = new TempFolder();
        var e = Fails(temp, parameters: new SettingsOverrides { MigrationsRoot = Path.Combine(temp.Path, "nowhere") });
        Assert.Equal("NorthRepositoryNotFound", e.ErrorId);
        Assert.StartsWith("parameter -Path:", e.Message);
        Assert.Contains("nowhere", e.Message);
    }

    [Fact]
    public void MissingRootNamesTheVariable()
    {
        using var temp = new TempFolder();
        var e = Fails(temp, new() { ["NORTH_MIGRATIONS_ROOT"] = "nowhere" }, new SettingsOverrides());
        Assert.StartsWith("environment variable NORTH_MIGRATIONS_ROOT:", e.Message);
    }

    [Fact]
    public void UnreadableFileNamesTheFile()
    {
        using var temp = new TempFolder();
        // A folder where the file should be cannot be read, whoever runs the test (root included).
        temp.Folder("north.json");
        var e = Fails(temp);
        Assert.Equal("NorthSettingsUnreadable", e.ErrorId);
        Assert.Contains("north.json", e.Message);
        Assert.Contains("cannot be read", e.Message);
    }
}
