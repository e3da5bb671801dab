using North.Core.Settings;

namespace North.Core.Tests.Settings;

/// <summary>The lock-aware settings (issue 12) through each source, strongest first.</summary>
public class LockAwareSettingsTests
{
    private static NorthSettings Load(string root, Dictionary<string, string> environment, SettingsOverrides? parameters = null) =>
        SettingsLoader.Load(parameters ?? new SettingsOverrides { MigrationsRoot = root }, root, environment);

    [Fact]
    public void EnvironmentJsonAndParametersEachSetThem()
    {
        var root = Path.Combine(Path.GetTempPath(), "north-lockaware-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            File.WriteAllText(Path.Combine(root, "north.json"),
                """{ "LockRetries": 2, "LockRetryMaxDelay": "250ms", "RebuildInvalidIndexes": true, "LongTransactionThreshold": "10min", "DdlLockTimeout": 0 }""");
            var fromJson = Load(root, new());
            Assert.Equal((2, TimeSpan.FromMilliseconds(250), true, TimeSpan.FromMinutes(10)),
                (fromJson.LockRetries, fromJson.LockRetryMaxDelay, fromJson.RebuildInvalidIndexes, fromJson.LongTransactionThreshold));
            // 0 leaves the server's own lock_timeout: North sets none.
            Assert.Equal(TimeSpan.Zero, fromJson.DdlLockTimeout);
            Assert.Null(fromJson.LockTimeoutForFiles());

            var fromEnvironment = Load(root, new() { ["NORTH_LOCK_RETRIES"] = "7", ["NORTH_REBUILD_INVALID_INDEXES"] = "false", ["NORTH_DDL_LOCK_TIMEOUT"] = "2s" });
            Assert.Equal((7, false, TimeSpan.FromSeconds(2)), (fromEnvironment.LockRetries, fromEnvironment.RebuildInvalidIndexes, fromEnvironment.LockTimeoutForFiles()));

            var fromParameters = Load(root, new() { ["NORTH_LOCK_RETRIES"] = "7" },
                new SettingsOverrides { MigrationsRoot = root, LockRetries = 0, RebuildInvalidIndexes = false });
            Assert.Equal((0, false), (fromParameters.LockRetries, fromParameters.RebuildInvalidIndexes));
            Assert.Equal(SettingSourceKind.Parameter, fromParameters.SourceOf(nameof(NorthSettings.LockRetries)).Kind);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void DefaultsAreFiveSecondsFiveRetriesAndOneMinute()
    {
        var root = Path.Combine(Path.GetTempPath(), "north-lockaware-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var settings = Load(root, new());
            Assert.Equal(TimeSpan.FromSeconds(5), settings.LockTimeoutForFiles());
            Assert.Equal((5, TimeSpan.FromSeconds(30), false, TimeSpan.FromMinutes(1)),
                (settings.LockRetries, settings.LockRetryMaxDelay, settings.RebuildInvalidIndexes, settings.LongTransactionThreshold));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
