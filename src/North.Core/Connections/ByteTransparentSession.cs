using System.Text;
using Npgsql;

namespace North.Core.Connections;

/// <summary>
/// How North speaks to a SQL_ASCII database: client_encoding SQL_ASCII (the server then checks no
/// byte but NUL and returns the stored bytes as they are) and <see cref="EscapedUtf8Encoding"/> for
/// Npgsql's text, so North's own strings are the UTF-8 bytes they always were and a file that
/// declares LATIN1 sends its bytes as psql does. Any other database keeps UTF-8 both ways.
/// <see cref="ConnectionFactory.OpenAsync(bool, bool, System.Threading.CancellationToken)"/> decides it once per opened session, from the
/// server_encoding the server reports when the session starts; the connection's own settings then
/// say it (<see cref="Carries"/>) to whoever runs statements on it.
/// </summary>
public static class ByteTransparentSession
{
    /// <summary>The client_encoding of such a session.</summary>
    public const string ClientEncoding = "SQL_ASCII";

    /// <summary>
    /// Npgsql resolves its <c>Encoding</c> setting with <see cref="Encoding.GetEncoding(string)"/>, so
    /// the only way to give it one of North's is an <see cref="EncodingProvider"/>: this one holds no
    /// state and answers one name of North's own, so registering it (once per process) changes nothing
    /// for any other name.
    /// </summary>
    static ByteTransparentSession() => Encoding.RegisterProvider(Provider.Instance);

    /// <summary>Whether a session with this server_encoding (the server's report) must speak bytes.</summary>
    public static bool Needed(NpgsqlConnection connection) =>
        connection.PostgresParameters.TryGetValue("server_encoding", out var encoding) && encoding == "SQL_ASCII";

    /// <summary>
    /// Opens a session of <paramref name="connectionString"/> with <paramref name="open"/> and, when its
    /// database is SQL_ASCII, closes it and opens a byte-transparent one instead: the one place the
    /// choice is made, for ConnectionFactory's sessions and for those opened from a plain connection
    /// string (<see cref="ConnectionPools.OpenAsync"/>).
    /// </summary>
    public static async Task<NpgsqlConnection> OpenAsync(string connectionString, Func<string, Task<NpgsqlConnection>> open)
    {
        var connection = await open(connectionString).ConfigureAwait(false);
        if (!Needed(connection))
        {
            return connection;
        }
        await connection.DisposeAsync().ConfigureAwait(false);
        return await open(ConnectionString(connectionString)).ConfigureAwait(false);
    }

    /// <summary><paramref name="connectionString"/> for a byte-transparent session.</summary>
    public static string ConnectionString(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Encoding = EscapedUtf8Encoding.Name, ClientEncoding = ClientEncoding }.ConnectionString;

    /// <summary>Whether <paramref name="connection"/> was made byte-transparent (its Npgsql encoding is North's).</summary>
    public static bool Carries(NpgsqlConnection connection) =>
        connection.ConnectionString.Contains(EscapedUtf8Encoding.Name, StringComparison.OrdinalIgnoreCase)
        && string.Equals(new NpgsqlConnectionStringBuilder(connection.ConnectionString).Encoding, EscapedUtf8Encoding.Name, StringComparison.OrdinalIgnoreCase);

    private sealed class Provider : EncodingProvider
    {
        public static readonly Provider Instance = new();

        public override Encoding? GetEncoding(int codepage) => null;

        public override Encoding? GetEncoding(string name) =>
            string.Equals(name, EscapedUtf8Encoding.Name, StringComparison.OrdinalIgnoreCase) ? EscapedUtf8Encoding.Instance : null;

        // It never falls back (every byte decodes; only a lone surrogate fails to encode): the same instance for every fallback.
        public override Encoding? GetEncoding(string name, EncoderFallback encoderFallback, DecoderFallback decoderFallback) => GetEncoding(name);
    }
}
