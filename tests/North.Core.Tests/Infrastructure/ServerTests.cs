namespace North.Core.Tests.Infrastructure;

public class ServerTests
{
    [Fact]
    public async Task TheTestServerAnswersAndEachTestHasItsOwnDatabase()
    {
        await using var a = await TestDatabase.CreateAsync();
        await using var b = await TestDatabase.CreateAsync();
        Assert.NotEqual(a.Name, b.Name);
        Assert.Equal(a.Name, await a.ScalarAsync("SELECT current_database()"));
        var version = (int)(await a.ScalarAsync("SELECT current_setting('server_version_num')::int"))!;
        Assert.True(version >= 120000, $"server_version_num {version}");
    }
}
