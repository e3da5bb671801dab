using North.Core.Settings;
using North.Core.Detection;
using North.Core.Errors;
using North.Core.History;
using North.Core.Tests.Infrastructure;
using North.Core.Versions;

namespace North.Core.Tests.Detection;

public class VersionDetectorTests
{
    private static MigrationVersion[] Versions(params string[] texts) => texts.Select(MigrationVersion.Parse).ToArray();

    [Fact]
    public async Task HistoryTakesTheGreatestRecordedVersionThatIsOnDisk()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        var history = new HistoryTable(new HistoryTableOptions { Style = HistoryStyle.Septentrion });
        var detector = new HistoryVersionDetector();
        Assert.Null(await detector.DetectAsync(new(connection, history, Versions("1.0"))));

        await db.ExecuteAsync(@"CREATE TABLE septentrion_migrations (id BIGSERIAL PRIMARY KEY, version TEXT, name TEXT, applied_at TIMESTAMPTZ DEFAULT NOW());
            INSERT INTO septentrion_migrations (version, name) VALUES ('1.2', 'a'), ('1.10', 'b'), ('9.0', 'gone'), ('1.9', 'c'), ('auth', 'x');");
        var onDisk = Versions("1.2", "1.9", "1.10", "2.0");
        var found = await detector.DetectAsync(new(connection, new HistoryTable(new HistoryTableOptions { Style = HistoryStyle.Septentrion }), onDisk));
        Assert.Equal("1.10", found!.Text);
        var anyRecorded = await detector.DetectAsync(new(connection, new HistoryTable(new HistoryTableOptions { Style = HistoryStyle.Septentrion }), Array.Empty<MigrationVersion>()));
        Assert.Equal("9.0", anyRecorded!.Text);
    }

    [Fact]
    public async Task VersionTableTakesTheGreatestVersionNum()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        var context = new VersionDetectionContext(connection, new HistoryTable(), Versions("1.0"));
        var detector = VersionDetectors.Create(VersionDetector.VersionTable);
        Assert.Null(await detector.DetectAsync(context));
        await db.ExecuteAsync("CREATE TABLE sql_version (version_num text); INSERT INTO sql_version VALUES ('1.2'), ('1.10'), ('1.9'), ('garbage');");
        Assert.Equal("1.10", (await detector.DetectAsync(context))!.Text);
    }

    [Fact]
    public async Task TableCommentReadsVersionXAndComplainsWhenAbsent()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        var context = new VersionDetectionContext(connection, new HistoryTable(), Versions("1.0"));
        var detector = VersionDetectors.Create(VersionDetector.TableComment);
        Assert.Null(await detector.DetectAsync(context));
        await db.ExecuteAsync("CREATE TABLE django_site (id int)");
        var none = await Assert.ThrowsAsync<NorthException>(() => detector.DetectAsync(context));
        Assert.Equal("NorthVersionUndetectable", none.ErrorId);
        Assert.Contains("no comment", none.Message);
        await db.ExecuteAsync("COMMENT ON TABLE django_site IS 'version 16.12'");
        Assert.Equal("16.12", (await detector.DetectAsync(context))!.Text);
        await db.ExecuteAsync("COMMENT ON TABLE django_site IS 'version one'");
        Assert.Contains("not a version", (await Assert.ThrowsAsync<NorthException>(() => detector.DetectAsync(context))).Message);
    }

    [Fact]
    public async Task DelegateDetectorParsesWhatTheFunctionSays()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        var context = new VersionDetectionContext(connection, new HistoryTable(), Versions("1.0"));
        var fromDatabase = new DelegateVersionDetector(async (c, cancel) =>
        {
            await using var command = new Npgsql.NpgsqlCommand("SELECT '3.1'", c.Connection);
            return (string?)await command.ExecuteScalarAsync(cancel);
        });
        Assert.Equal("3.1", (await fromDatabase.DetectAsync(context))!.Text);
        Assert.Null(await new DelegateVersionDetector((_, _) => Task.FromResult<string?>("")).DetectAsync(context));
        var bad = await Assert.ThrowsAsync<NorthException>(() => new DelegateVersionDetector((_, _) => Task.FromResult<string?>("v2"), "ScriptBlock").DetectAsync(context));
        Assert.Contains("ScriptBlock", bad.Message);
    }
}
