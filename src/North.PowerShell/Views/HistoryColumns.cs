using System.Globalization;
using System.Management.Automation;
using North.Core.History;

namespace North.PowerShell.Views;

/// <summary>
/// The history view's words, as hidden code properties of <see cref="HistoryRow"/>
/// (North.Types.ps1xml), for the reason <see cref="StatusColumns"/> gives.
/// </summary>
public static class HistoryColumns
{
    /// <summary>When it was recorded, in local time to the second.</summary>
    public static string? AppliedAtText(PSObject instance) => StatusColumns.LocalTime(((HistoryRow)instance.BaseObject).AppliedAt);

    /// <summary>"applied" or "faked", or nothing where the table has no mode column.</summary>
    public static string? ModeText(PSObject instance) => ((HistoryRow)instance.BaseObject).Mode?.ToString().ToLowerInvariant();

    /// <summary>"1234 ms", or nothing where the table has no duration column.</summary>
    public static string? DurationText(PSObject instance) =>
        ((HistoryRow)instance.BaseObject).DurationMs is { } ms ? string.Format(CultureInfo.CurrentCulture, "{0} ms", ms) : null;
}
