using System.Management.Automation;
using System.Runtime.Loader;
using Npgsql;

namespace IsolationProbe;

/// <summary>Opens a connection with this module's Npgsql and says which Npgsql answered.</summary>
[Cmdlet(VerbsCommon.Get, "IsolationProbe")]
public sealed class GetIsolationProbeCommand : PSCmdlet
{
    [Parameter(Mandatory = true)]
    public string ConnectionString { get; set; } = "";

    protected override void ProcessRecord()
    {
        var assembly = typeof(NpgsqlConnection).Assembly;
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT current_setting('server_version')", connection);
        var result = new PSObject();
        result.Properties.Add(new PSNoteProperty("NpgsqlVersion", assembly.GetName().Version!.ToString()));
        result.Properties.Add(new PSNoteProperty("LoadContext", AssemblyLoadContext.GetLoadContext(assembly)?.Name));
        result.Properties.Add(new PSNoteProperty("ServerVersion", (string)command.ExecuteScalar()!));
        WriteObject(result);
    }
}
