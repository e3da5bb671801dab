using System.Globalization;
using System.Management.Automation;
using North.Core.Settings;

namespace North.PowerShell.Binding;

/// <summary>
/// Binds a duration parameter the way every other source of a duration setting reads it: a bare
/// number is seconds (<c>-LockTimeout 30</c>), a string uses the settings' syntax (<c>30s</c>,
/// <c>5min</c>, <c>500ms</c>, <c>00:05:00</c>), a [TimeSpan] is taken as is. Without it PowerShell
/// would read <c>30</c> as 30 ticks. Negative durations are refused.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    private const string Source = "the parameter";

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        try
        {
            return value switch
            {
                null => null,
                TimeSpan span => DurationText.Checked(span, "The duration", Source),
                string text => DurationText.Parse(text, "The duration", Source),
                byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal =>
                    DurationText.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture), "The duration", Source),
                _ => throw new ArgumentTransformationMetadataException(
                    $"Cannot read a {value.GetType().Name} as a duration: give seconds (30), a string (30s, 5min, 00:05:00) or a [TimeSpan]."),
            };
        }
        catch (SettingsException e)
        {
            // PowerShell names the parameter ("Cannot process argument transformation on parameter 'LockTimeout'").
            var message = e.Message.StartsWith(Source + ": ", StringComparison.Ordinal) ? e.Message[(Source.Length + 2)..] : e.Message;
            throw new ArgumentTransformationMetadataException(
                e.RecommendedAction is { Length: > 0 } action ? $"{message} {action}" : message, e);
        }
    }
}
