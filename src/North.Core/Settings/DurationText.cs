using System.Globalization;

namespace North.Core.Settings;

/// <summary>
/// The one duration syntax of North, for settings and cmdlet parameters alike: seconds (<c>300</c>,
/// <c>1.5</c>), a number with a unit (<c>500ms</c>, <c>30s</c>, <c>5min</c>, <c>2h</c>) or
/// <c>hh:mm:ss</c>. A negative duration is refused wherever it comes from.
/// </summary>
public static class DurationText
{
    /// <summary>Parses <paramref name="text"/>; a <see cref="SettingsException"/> names <paramref name="name"/> and <paramref name="source"/> otherwise.</summary>
    public static TimeSpan Parse(string text, string name, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.StartsWith('-'))
        {
            throw Negative(name, text, source);
        }
        if (text.Contains(':') && TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var span))
        {
            return Checked(span, name, source);
        }
        var digits = 0;
        while (digits < text.Length && (char.IsAsciiDigit(text[digits]) || text[digits] == '.'))
        {
            digits++;
        }
        var unit = text[digits..].Trim().ToLowerInvariant();
        double factor = unit switch
        {
            "" or "s" or "sec" or "second" or "seconds" => 1,
            "ms" => 0.001,
            "min" or "m" or "minute" or "minutes" => 60,
            "h" or "hour" or "hours" => 3600,
            _ => double.NaN,
        };
        if (digits > 0 && !double.IsNaN(factor) && double.TryParse(text[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return FromSeconds(amount * factor, name, source);
        }
        throw SettingsException.Invalid(source, $"{name} '{text}' is not a duration.",
            "Write seconds (300), a number with a unit (500ms, 30s, 5min, 2h) or hh:mm:ss.");
    }

    /// <summary>A number of seconds as a duration (a bare number means seconds everywhere).</summary>
    public static TimeSpan FromSeconds(double seconds, string name, string source)
    {
        if (double.IsNaN(seconds) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            throw SettingsException.Invalid(source, $"{name} {seconds.ToString(CultureInfo.InvariantCulture)} seconds is not a usable duration.");
        }
        if (seconds < 0)
        {
            throw Negative(name, seconds.ToString(CultureInfo.InvariantCulture) + " seconds", source);
        }
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Refuses a negative <see cref="TimeSpan"/>.</summary>
    public static TimeSpan Checked(TimeSpan span, string name, string source) =>
        span < TimeSpan.Zero ? throw Negative(name, span.ToString("c", CultureInfo.InvariantCulture), source) : span;

    private static SettingsException Negative(string name, string text, string source) =>
        SettingsException.Invalid(source, $"{name} must not be negative ({text}).", "Give 0 or a positive duration, like 30 (seconds), 30s or 5min.");
}
