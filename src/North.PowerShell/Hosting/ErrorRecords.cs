using System.Management.Automation;
using North.Core.Errors;

namespace North.PowerShell.Hosting;

/// <summary>
/// The one place where exceptions become ErrorRecords: North's own errors keep their stable id,
/// category, target and recommended action; anything else is an unexpected failure, reported
/// as such rather than disguised.
/// </summary>
internal static class ErrorRecords
{
    /// <summary>
    /// The ErrorRecord for <paramref name="exception"/>: its target is the exception's own
    /// (a file, a database) or <paramref name="fallbackTarget"/>, which wins when
    /// <paramref name="preferFallback"/> is set (the caller knows the object better).
    /// </summary>
    public static ErrorRecord From(Exception exception, object? fallbackTarget = null, bool preferFallback = false)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }
        if (exception is NorthException north)
        {
            var record = new ErrorRecord(north, north.ErrorId, Category(north.Kind), preferFallback && fallbackTarget is not null ? fallbackTarget : north.Target ?? fallbackTarget);
            if (!string.IsNullOrEmpty(north.RecommendedAction))
            {
                record.ErrorDetails = new ErrorDetails(north.Message) { RecommendedAction = north.RecommendedAction };
            }
            return record;
        }
        if (exception is ArgumentException)
        {
            return new ErrorRecord(exception, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, fallbackTarget);
        }
        if (exception is OperationCanceledException)
        {
            return new ErrorRecord(exception, ErrorIds.Stopped, ErrorCategory.OperationStopped, fallbackTarget);
        }
        return new ErrorRecord(exception, ErrorIds.UnexpectedError, ErrorCategory.NotSpecified, fallbackTarget);
    }

    /// <summary>
    /// The error of one target of a multi-target call: its target object is the target
    /// (<c>server/database</c>) and its message starts with it.
    /// </summary>
    public static ErrorRecord ForTarget(Exception exception, string target)
    {
        var record = From(exception, target, preferFallback: true);
        record.ErrorDetails = new ErrorDetails($"{target}: {record.ErrorDetails?.Message ?? record.Exception.Message}")
        {
            RecommendedAction = record.ErrorDetails?.RecommendedAction ?? "",
        };
        return record;
    }

    public static ErrorCategory Category(NorthErrorKind kind) => kind switch
    {
        NorthErrorKind.InvalidData => ErrorCategory.InvalidData,
        NorthErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        NorthErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        NorthErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        NorthErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        NorthErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        NorthErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        NorthErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        NorthErrorKind.SyntaxError => ErrorCategory.SyntaxError,
        NorthErrorKind.NotImplemented => ErrorCategory.NotImplemented,
        NorthErrorKind.WriteError => ErrorCategory.WriteError,
        NorthErrorKind.ReadError => ErrorCategory.ReadError,
        _ => ErrorCategory.NotSpecified,
    };
}
