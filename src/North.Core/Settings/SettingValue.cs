namespace North.Core.Settings;

/// <summary>A parsed value for one setting and where it came from.</summary>
internal sealed record SettingValue(SettingDefinition Setting, object? Value, SettingSource Source);
