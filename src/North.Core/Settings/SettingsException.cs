using North.Core.Errors;

namespace North.Core.Settings;

/// <summary>
/// A setting could not be read: the message names its source (file and line, environment
/// variable, or parameter) and what to do. Error ids: <c>NorthSettingsInvalid</c> (bad value,
/// bad JSON, unknown key), <c>NorthRepositoryNotFound</c> (missing root), <c>NorthSettingsUnreadable</c>.
/// </summary>
public sealed class SettingsException : NorthException
{
    public SettingsException(string message, string errorId, NorthErrorKind kind, string source, string? recommendedAction = null, Exception? inner = null)
        : base(message, errorId, kind, source, recommendedAction, inner)
    {
        Origin = source;
    }

    /// <summary>The source at fault: a file path (with line when known), a variable or a parameter.</summary>
    public string Origin { get; }

    internal static SettingsException Invalid(string source, string message, string? action = null, Exception? inner = null) =>
        new($"{source}: {message}", ErrorIds.SettingsInvalid, NorthErrorKind.InvalidArgument, source, action, inner);

    /// <summary>A settings file that exists but cannot be read.</summary>
    internal static SettingsException Unreadable(string path, Exception inner) =>
        new($"{path}: cannot be read: {inner.Message}", ErrorIds.SettingsUnreadable, NorthErrorKind.ReadError, path,
            "Check the file's permissions, or remove it.", inner);
}
