using North.Core.Errors;
using Npgsql;

namespace North.Core.Connections;

/// <summary>
/// The PostgreSQL versions North supports (13 to 18, each tested by the version matrix of
/// build.ps1 Test -PostgresVersion). An older server is refused as soon as a connection opens:
/// its catalog lacks what North reads, and an error at the first query would say less.
/// </summary>
public static class SupportedServer
{
    /// <summary>The oldest major version North runs against.</summary>
    public const int OldestMajor = 13;

    /// <summary>The newest major version North is tested on (a newer one is accepted).</summary>
    public const int NewestTestedMajor = 18;

    /// <summary>The error refusing a server of <paramref name="version"/> (its <c>server_version</c>
    /// text in <paramref name="versionText"/>) at <paramref name="target"/>, or null when it is supported.</summary>
    public static NorthException? Refusal(Version version, string versionText, string target)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version.Major >= OldestMajor ? null : new NorthException(
            $"PostgreSQL {versionText} at {target} is not supported: North needs PostgreSQL {OldestMajor} or newer (tested on {OldestMajor} to {NewestTestedMajor}).",
            ErrorIds.ServerUnsupported, NorthErrorKind.InvalidOperation, target,
            $"Upgrade the server to PostgreSQL {OldestMajor} or newer, or keep using the tool that manages it today.");
    }

    /// <summary>Throws <see cref="Refusal"/> for an open connection to an unsupported server.</summary>
    public static void Check(NpgsqlConnection connection, string target)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (Refusal(connection.PostgreSqlVersion, connection.ServerVersion, target) is { } refusal)
        {
            throw refusal;
        }
    }
}
