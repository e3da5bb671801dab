using System.Diagnostics;
using North.Core.Connections;
using North.Core.Errors;
using North.Core.History;
using North.Core.Locking;
using North.Core.Migrating;
using North.Core.Reporting;
using North.Core.Repository;
using North.Core.Running;
using North.Core.Settings;
using Npgsql;

namespace North.Core.TestDatabases;

/// <summary>
/// Test databases at the repository's target version in a fraction of a migration's time: the first
/// call migrates a template database named after the repository's content
/// (<see cref="RepositoryFingerprint"/>), marks it a template and drops the repository's older
/// templates; every call then clones it with <c>CREATE DATABASE ... TEMPLATE</c>. All of it runs under
/// an advisory lock of the repository, so concurrent calls build a template once.
/// The connection given is the server's: any database of it (postgres) to run these statements from.
/// </summary>
public sealed class TestDatabaseFactory
{

    /// <summary>The comment North puts on the databases it clones; Remove-NorthTestDatabase looks for it.</summary>
    public const string CommentPrefix = "North test database";

    private readonly RunContext _context;
    private readonly NorthSettings _settings;
    private readonly ConnectionFactory _connections;
    private readonly IReporter _reporter;

    /// <param name="context">The call's settings, working folder and connection to the server (any of its databases).</param>
    /// <param name="reporter">Where verbose lines and the template's migration progress go.</param>
    public TestDatabaseFactory(RunContext context, IReporter? reporter = null)
    {
        _context = context;
        _settings = context.Settings;
        _connections = context.Connections;
        _reporter = reporter ?? NullReporter.Instance;
    }

    /// <summary>Server as <c>host:port</c>.</summary>
    public string Server => _connections.Host.Contains(',') ? _connections.Host : $"{_connections.Host}:{_connections.Port}";

    /// <summary>Creates <paramref name="name"/> from the repository's template, building the template first when needed.</summary>
    public async Task<TestDatabase> CreateAsync(string name, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        if (name.StartsWith(RepositoryFingerprint.TemplatePrefix, StringComparison.Ordinal))
        {
            throw new NorthException($"\"{name}\" starts with {RepositoryFingerprint.TemplatePrefix}, the prefix of North's templates.", ErrorIds.TestDatabaseName,
                NorthErrorKind.InvalidArgument, name, "Choose another name.");
        }
        var repository = MigrationRepository.Load(_settings, _reporter);
        var target = repository.GetTargetVersion();
        var template = RepositoryFingerprint.TemplateName(repository, target);
        var prefix = RepositoryFingerprint.RepositoryPrefix(repository.Root);

        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        await using var templateLock = await AdvisoryLock.AcquireAsync(_connections, AdvisoryLock.KeyFor("template:" + prefix), _settings.LockTimeout, _reporter, cancel).ConfigureAwait(false);

        if (await DatabaseExistsAsync(connection, name, cancel).ConfigureAwait(false))
        {
            throw new NorthException($"The database \"{name}\" exists already on {Server}.", ErrorIds.TestDatabaseName, NorthErrorKind.ResourceBusy, name,
                $"Remove it first (Remove-NorthTestDatabase -Name {name}), or choose another name.");
        }
        var templates = await ListAsync(connection, prefix, cancel).ConfigureAwait(false);
        var built = false;
        if (!templates.TryGetValue(template, out var ready) || !ready)
        {
            if (templates.ContainsKey(template))
            {
                _reporter.Verbose($"Dropping {template}: a template left half-built by an interrupted call.");
                await DropAsync(connection, template, cancel).ConfigureAwait(false);
            }
            await BuildTemplateAsync(connection, template, cancel).ConfigureAwait(false);
            built = true;
        }
        foreach (var older in templates.Keys.Where(t => t != template))
        {
            _reporter.Verbose($"Dropping {older}: a template of an earlier content of {repository.Root}.");
            await DropAsync(connection, older, cancel).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, $"CREATE DATABASE {SqlIdentifier.Quote(name)} TEMPLATE {SqlIdentifier.Quote(template)}", cancel).ConfigureAwait(false);
        await ExecuteAsync(connection, $"COMMENT ON DATABASE {SqlIdentifier.Quote(name)} IS '{CommentPrefix}, from {template} ({repository.Root.Replace("'", "''")} at {target.Text})'", cancel).ConfigureAwait(false);
        _reporter.Verbose($"Created {name} from {template} in {clock.ElapsedMilliseconds} ms.");
        return new TestDatabase(Server, name, target, template, built, clock.Elapsed, ConnectionStringFor(name));
    }

    /// <summary>
    /// Drops a test database (ending its sessions). Refuses a database without North's comment
    /// unless <paramref name="force"/>. Returns false when there is no such database.
    /// </summary>
    public async Task<bool> RemoveAsync(string name, bool force, CancellationToken cancel = default)
    {
        await using var connection = await _connections.OpenAsync(cancel: cancel).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT pg_catalog.shobj_description(oid, 'pg_database') FROM pg_catalog.pg_database WHERE datname = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        var found = await command.ExecuteScalarAsync(cancel).ConfigureAwait(false);
        if (found is null)
        {
            return false;
        }
        if (!force && !(found is string comment && comment.StartsWith(CommentPrefix, StringComparison.Ordinal)))
        {
            throw new NorthException($"Refused to drop \"{name}\" on {Server}: New-NorthTestDatabase did not create it (it lacks the comment '{CommentPrefix}...').",
                ErrorIds.NotTestDatabase, NorthErrorKind.PermissionDenied, name, "Give -Force to drop it anyway.");
        }
        _connections.ClearPool(ConnectionStringFor(name));
        await DropAsync(connection, name, cancel).ConfigureAwait(false);
        return true;
    }

    private async Task BuildTemplateAsync(NpgsqlConnection connection, string template, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        _reporter.Verbose($"Building the template {template}: migrating a new database.");
        await ExecuteAsync(connection, $"CREATE DATABASE {SqlIdentifier.Quote(template)}", cancel).ConfigureAwait(false);
        var templateConnections = new ConnectionFactory(new ConnectionOptions { ConnectionString = ConnectionStringFor(template) }, pools: _connections.Pools);
        try
        {
            var migrator = new Migrator(new RunContext(_settings, _context.WorkingDirectory, templateConnections, _context.Files), _reporter);
            await migrator.MigrateAsync(new MigrateOptions(), cancel).ConfigureAwait(false);
        }
        finally
        {
            // A clone needs the template without sessions: close this process's pooled ones.
            templateConnections.ClearPool();
        }
        // Only a complete build is marked: an unmarked one is a leftover, rebuilt by the next call.
        await ExecuteAsync(connection, $"ALTER DATABASE {SqlIdentifier.Quote(template)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false", cancel).ConfigureAwait(false);
        _reporter.Verbose($"Built the template {template} in {clock.ElapsedMilliseconds} ms.");
    }

    private string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(_connections.ConnectionString) { Database = database }.ConnectionString;

    private static async Task<Dictionary<string, bool>> ListAsync(NpgsqlConnection connection, string prefix, CancellationToken cancel)
    {
        var templates = new Dictionary<string, bool>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(
            "SELECT datname::text, datistemplate FROM pg_catalog.pg_database WHERE starts_with(datname::text, $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = prefix });
        await using var reader = await command.ExecuteReaderAsync(cancel).ConfigureAwait(false);
        while (await reader.ReadAsync(cancel).ConfigureAwait(false))
        {
            templates[reader.GetString(0)] = reader.GetBoolean(1);
        }
        return templates;
    }

    private static async Task<bool> DatabaseExistsAsync(NpgsqlConnection connection, string name, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return await command.ExecuteScalarAsync(cancel).ConfigureAwait(false) is not null;
    }

    private async Task DropAsync(NpgsqlConnection connection, string name, CancellationToken cancel)
    {
        var quoted = SqlIdentifier.Quote(name);
        await ExecuteAsync(connection, $"ALTER DATABASE {quoted} WITH IS_TEMPLATE false", cancel).ConfigureAwait(false);
        // WITH (FORCE) ends the sessions still connected, as a test teardown wants. Every server North
        // connects to has it: ConnectionFactory refuses those before 13 (SupportedServer).
        await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", cancel).ConfigureAwait(false);
        // Its pools (the session's, of every connection string to it) went with it.
        _connections.Pools?.ReleaseDatabase(ConnectionStringFor(name));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            var statement = sql.Length > 80 ? sql[..80] + "..." : sql;
            throw new NorthException($"{statement}: {e.MessageText} (SQLSTATE {e.SqlState}).", ErrorIds.TestDatabaseFailed,
                e.SqlState == PostgresErrorCodes.InsufficientPrivilege ? NorthErrorKind.PermissionDenied : NorthErrorKind.InvalidOperation,
                connection.Database, "The connecting role needs CREATEDB (and to own the databases it drops); check the server's message.", e);
        }
    }
}
