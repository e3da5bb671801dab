using System.Globalization;
using System.Management.Automation;
using North.Core.Planning;

namespace North.PowerShell.Views;

/// <summary>
/// The status view's words, as hidden code properties of <see cref="MigrationStatus"/>
/// (North.Types.ps1xml): the view names them as properties, so printing a thousand rows runs no
/// script block per cell (PowerShell compiles and JIT-compiles each one, the most of a cold table's
/// cost). Hidden: Get-Member, Select-Object *, ConvertTo-Json and Export-Clixml do not show them.
/// Signatures name PowerShell's and the framework's types only: PowerShell resolves these methods
/// when it loads the type data, and North.Core is loaded lazily, by the first call.
/// </summary>
public static class StatusColumns
{
    /// <summary>"manual", or nothing.</summary>
    public static string? ManualText(PSObject instance) => ((MigrationStatus)instance.BaseObject).Manual ? "manual" : null;

    /// <summary>"gone" (recorded, no file), "yes" or "no".</summary>
    public static string AppliedText(PSObject instance) => ((MigrationStatus)instance.BaseObject) switch
    {
        { MissingOnDisk: true } => "gone",
        { Applied: true } => "yes",
        _ => "no",
    };

    /// <summary>"STOPPED" (interrupted), "late" (out of order), "yes", or nothing.</summary>
    public static string PendingText(PSObject instance) => ((MigrationStatus)instance.BaseObject) switch
    {
        { Interrupted: true } => "STOPPED",
        { OutOfOrder: true } => "late",
        { Pending: true } => "yes",
        _ => "",
    };

    /// <summary>"applied" or "faked" (the history's mode), or nothing.</summary>
    public static string? ModeText(PSObject instance) => ((MigrationStatus)instance.BaseObject).Mode?.ToString().ToLowerInvariant();

    /// <summary>"MODIFIED" (the file changed after it ran), or nothing.</summary>
    public static string? ModifiedText(PSObject instance) => ((MigrationStatus)instance.BaseObject).Modified ? "MODIFIED" : null;

    /// <summary>When it was recorded, in local time to the second.</summary>
    public static string? AppliedAtText(PSObject instance) => LocalTime(((MigrationStatus)instance.BaseObject).AppliedAt);

    /// <summary>A time as the views print it: local, to the second, in the current culture as PowerShell's own ToString call did.</summary>
    internal static string? LocalTime(DateTimeOffset? time) =>
        time?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.CurrentCulture);
}
