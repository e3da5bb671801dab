using North.Core.Connections;
using North.Core.Versions;

namespace North.Core.TestDatabases;

/// <summary>A database cloned from a repository's migrated template, for a test run.</summary>
/// <param name="Server">host:port.</param>
/// <param name="Name">The new database.</param>
/// <param name="Version">The version it is at (the target the template was migrated to).</param>
/// <param name="Template">The template database it was cloned from.</param>
/// <param name="TemplateBuilt">True when this call built the template (the first call after an edit), false when it reused one.</param>
/// <param name="Duration">How long the call took.</param>
/// <param name="ConnectionString">Npgsql's connection string of the new database, password included: pass it to -ConnectionString or Npgsql; never print it (the views show <see cref="DisplayConnectionString"/>).</param>
public sealed record TestDatabase(
    string Server,
    string Name,
    MigrationVersion Version,
    string Template,
    bool TemplateBuilt,
    TimeSpan Duration,
    string ConnectionString)
{
    /// <summary>The connection string with its password masked, for display.</summary>
    public string DisplayConnectionString => ConnectionFactory.Mask(ConnectionString);

    // A record prints every property; the password must not show.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Style", "IDE0051", Justification = "Called by the record's compiler-generated ToString.")]
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Server = ").Append(Server).Append(", Name = ").Append(Name).Append(", Version = ").Append(Version)
            .Append(", Template = ").Append(Template).Append(", ConnectionString = ").Append(DisplayConnectionString);
        return true;
    }
}
