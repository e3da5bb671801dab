using System.Collections.Concurrent;
using System.Management.Automation;
using North.Core.Reporting;

namespace North.PowerShell.Hosting;

/// <summary>
/// Carries what the core reports from its worker threads to the cmdlet's streams. PowerShell only
/// accepts Write-* calls on the pipeline thread, so reports are queued here and written out by
/// <see cref="Pump"/> while the cmdlet waits for the core.
/// </summary>
internal sealed class CmdletReporter : IReporter, IDisposable
{
    private readonly BlockingCollection<Action<Cmdlet>> _queue = new();

    /// <param name="verbose">False when PowerShell would drop the call's verbose messages (see NorthCmdlet.Reporter): they are not queued.</param>
    /// <param name="debug">The same for its debug messages.</param>
    public CmdletReporter(bool verbose = true, bool debug = true)
    {
        WritesVerbose = verbose;
        WritesDebug = debug;
    }

    /// <summary>Whether verbose messages reach the pipeline thread (else PowerShell would drop them there).</summary>
    public bool WritesVerbose { get; }

    /// <summary>Whether debug messages reach the pipeline thread.</summary>
    public bool WritesDebug { get; }

    public void Verbose(string message)
    {
        if (WritesVerbose)
            _queue.Add(c => c.WriteVerbose(message));
    }

    public void Debug(string message)
    {
        if (WritesDebug)
            _queue.Add(c => c.WriteDebug(message));
    }

    public void Warning(string message) => _queue.Add(c => c.WriteWarning(message));

    public void Information(string message) =>
        _queue.Add(c => c.WriteInformation(new InformationRecord(message, "North"), ["North"]));

    public void Progress(ProgressReport report) => _queue.Add(c =>
    {
        var record = new ProgressRecord(report.Id, report.Activity, string.IsNullOrEmpty(report.Status) ? " " : report.Status)
        {
            PercentComplete = Math.Clamp(report.PercentComplete, -1, 100),
            ParentActivityId = report.ParentId,
            RecordType = report.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        c.WriteProgress(record);
    });

    /// <summary>Queues an action for the pipeline thread (WriteObject of a result as it completes).</summary>
    public void Post(Action<Cmdlet> action) => _queue.Add(action);

    /// <summary>
    /// Runs <paramref name="func"/> on the pipeline thread (script blocks must run there) and
    /// returns its result to the calling worker thread; only valid while <see cref="Pump"/> runs.
    /// </summary>
    public T InvokeOnPipeline<T>(Func<Cmdlet, T> func)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(c =>
        {
            try
            {
                done.SetResult(func(c));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Waits for <paramref name="work"/> on the pipeline thread, writing reports as they come;
    /// returns its result or rethrows its exception (unwrapped).
    /// </summary>
    public T Pump<T>(Cmdlet cmdlet, Task<T> work)
    {
        // Wake the loop the moment the work ends, instead of at the next poll.
        work.ContinueWith(_ => Wake(), TaskScheduler.Default);
        while (!work.IsCompleted)
        {
            if (_queue.TryTake(out var write, 50))
            {
                write(cmdlet);
            }
        }
        while (_queue.TryTake(out var rest))
        {
            rest(cmdlet);
        }
        return work.GetAwaiter().GetResult();
    }

    public void Dispose() => _queue.Dispose();

    // The wake-up may come after the pump has returned and the cmdlet disposed the queue: then nobody waits for it.
    private void Wake()
    {
        try
        {
            _queue.Add(_ => { });
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
