using System.Diagnostics;
using North.Core.Errors;
using North.Core.Locking;
using North.Core.Tests.Connections;
using North.Core.Tests.Infrastructure;

namespace North.Core.Tests.Locking;

public class AdvisoryLockTests
{
    [Fact]
    public void KeyIsStableAndDependsOnTheName()
    {
        Assert.Equal(AdvisoryLock.KeyFor("\"north_migrations\""), AdvisoryLock.KeyFor("\"north_migrations\""));
        Assert.NotEqual(AdvisoryLock.KeyFor("\"north_migrations\""), AdvisoryLock.KeyFor("\"septentrion_migrations\""));
    }

    [Fact]
    public async Task TimeoutNamesTheHolderAndTheLockIsFreedOnDispose()
    {
        await using var db = await TestDatabase.CreateAsync();
        var key = AdvisoryLock.KeyFor("test-" + db.Name);
        var holderLock = await AdvisoryLock.AcquireAsync(TestConnections.Factory(db, "nightly-deploy"), key);
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<NorthException>(() =>
            AdvisoryLock.AcquireAsync(TestConnections.Factory(db), key, TimeSpan.FromSeconds(1)));
        clock.Stop();
        Assert.Equal("NorthLockTimeout", e.ErrorId);
        Assert.Equal(NorthErrorKind.ResourceBusy, e.Kind);
        Assert.Contains($"pid {holderLock.BackendPid}", e.Message);
        Assert.Contains("application \"nightly-deploy\"", e.Message);
        Assert.Contains("connected since", e.Message);
        Assert.Contains($"pg_terminate_backend({holderLock.BackendPid})", e.RecommendedAction);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 5);

        await holderLock.DisposeAsync();
        await using var next = await AdvisoryLock.AcquireAsync(TestConnections.Factory(db), key, TimeSpan.FromSeconds(1));
        Assert.NotEqual(0, next.BackendPid);
    }

    [Fact]
    public async Task WaitersGetTheLockOneAfterAnother()
    {
        await using var db = await TestDatabase.CreateAsync();
        var key = AdvisoryLock.KeyFor("serial-" + db.Name);
        var inside = 0;
        var maxInside = 0;
        var runs = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using var held = await AdvisoryLock.AcquireAsync(TestConnections.Factory(db), key, TimeSpan.FromSeconds(30));
            var now = Interlocked.Increment(ref inside);
            lock (db) maxInside = Math.Max(maxInside, now);
            await Task.Delay(150);
            Interlocked.Decrement(ref inside);
        })).ToArray();
        await Task.WhenAll(runs);
        Assert.Equal(1, maxInside);
    }

    [Fact]
    public async Task AKilledHolderReleasesTheLock()
    {
        await using var db = await TestDatabase.CreateAsync();
        var key = AdvisoryLock.KeyFor("killed-" + db.Name);
        var holder = await AdvisoryLock.AcquireAsync(TestConnections.Factory(db), key);
        var waiting = AdvisoryLock.AcquireAsync(TestConnections.Factory(db), key, TimeSpan.FromSeconds(20));
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        await db.ExecuteAsync($"SELECT pg_terminate_backend({holder.BackendPid})");
        await using var taken = await waiting;
        Assert.NotEqual(holder.BackendPid, taken.BackendPid);
        await holder.DisposeAsync(); // its session is gone: disposing must not throw
    }

    [Fact]
    public async Task ANewHolderWaitsForTheCommitALostRunsGuardLetThrough()
    {
        // A run killed with its guarded COMMIT in flight: its lock session is gone at once, its
        // script session still commits. The next run must not plan before that COMMIT ends.
        await using var db = await TestDatabase.CreateAsync();
        var key = AdvisoryLock.KeyFor("commit-" + db.Name);
        var old = await AdvisoryLock.AcquireAsync(TestConnections.Factory(db), key);
        await using var script = await db.OpenAsync();
        await using var transaction = await script.BeginTransactionAsync();
        await using (var batch = new Npgsql.NpgsqlBatch(script, transaction))
        {
            batch.BatchCommands.Add(old.GuardCommand());
            batch.BatchCommands.Add(new Npgsql.NpgsqlBatchCommand("CREATE TABLE committed_late (id int)"));
            await batch.ExecuteNonQueryAsync();
        }
        await db.ExecuteAsync($"SELECT pg_terminate_backend({old.BackendPid})");

        var next = AdvisoryLock.AcquireAsync(TestConnections.Factory(db), key, TimeSpan.FromSeconds(30));
        await Task.Delay(1500);
        Assert.False(next.IsCompleted, "the new holder went on while the lost run's COMMIT was in flight");
        await transaction.CommitAsync();
        await using var taken = await next.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM pg_catalog.pg_class WHERE relname = 'committed_late'"));
        await old.DisposeAsync();
    }

    [Fact]
    public async Task TheChecksPassWhileTheRunHoldsItsLockAndFailOnceItsSessionEndedEvenWhenAnotherRunTookTheKey()
    {
        // The checks name this run's lock, not the key: after its session ends, a second run that
        // takes the same key must not make the first run's files look covered.
        await using var db = await TestDatabase.CreateAsync();
        var key = AdvisoryLock.KeyFor("token-" + db.Name);
        var first = await AdvisoryLock.AcquireAsync(TestConnections.Factory(db), key);
        Assert.NotEqual(key, first.TokenKey);
        await using var script = await db.OpenAsync();
        await RunInTransactionAsync(script, first.HeldCommand());
        await RunInTransactionAsync(script, first.GuardCommand());

        await db.ExecuteAsync($"SELECT pg_terminate_backend({first.BackendPid})");
        await using var second = await AdvisoryLock.AcquireAsync(TestConnections.Factory(db), key, TimeSpan.FromSeconds(20));
        Assert.NotEqual(first.TokenKey, second.TokenKey);
        foreach (var check in new[] { first.HeldCommand(), first.GuardCommand() })
        {
            var lost = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => RunInTransactionAsync(script, check));
            Assert.Equal(AdvisoryLock.LostSqlState, lost.SqlState);
        }
        await RunInTransactionAsync(script, second.HeldCommand());
        await first.DisposeAsync();

        // Released: the token goes with the lock, and a check of it fails at once.
        await second.DisposeAsync();
        var released = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => RunInTransactionAsync(script, second.GuardCommand()));
        Assert.Equal(AdvisoryLock.LostSqlState, released.SqlState);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())"));
    }

    private static async Task RunInTransactionAsync(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlBatchCommand check)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new Npgsql.NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(check);
        await batch.ExecuteNonQueryAsync();
        await transaction.RollbackAsync();
    }
}
