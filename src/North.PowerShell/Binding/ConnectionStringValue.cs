using North.Core.Connections;

namespace North.PowerShell.Binding;

/// <summary>
/// A connection string as a parameter takes it from the command line or the pipeline. Only text
/// converts to it (PowerShell uses the constructor), so an object piped by value that means a
/// target through its properties (an Import-Csv row, a North output object) is never bound as
/// its ToString(). It prints masked, so the bound parameters in a record's InvocationInfo never
/// show a password.
/// </summary>
public sealed class ConnectionStringValue
{
    private readonly string _text;

    public ConnectionStringValue(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        _text = text;
    }

    /// <summary>The connection string itself, password included: for the core only.</summary>
    internal string Text => _text;

    /// <summary>The connection string with its password masked.</summary>
    public override string ToString() => ConnectionFactory.Mask(_text);
}
