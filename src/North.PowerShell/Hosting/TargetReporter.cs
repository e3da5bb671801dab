using System.Management.Automation;
using North.Core.Reporting;

namespace North.PowerShell.Hosting;

/// <summary>
/// The reports of one target of a multi-target call: messages carry the target's name; when
/// targets run in parallel, its objects and messages wait here and reach the pipeline together
/// when it ends (<see cref="Flush"/>), so one target's output is never interleaved with
/// another's. Progress goes at once, as a child bar of the target's own bar.
/// </summary>
internal sealed class TargetReporter : IReporter
{
    private readonly CmdletReporter _pipeline;
    private readonly bool _buffered;
    private readonly List<Action<Cmdlet>> _held = new();
    private readonly int _progressBase;
    private readonly string _prefix;

    /// <param name="pipeline">The call's queue to the pipeline thread.</param>
    /// <param name="name">The target, as messages name it.</param>
    /// <param name="progressBase">This target's progress id; the core's bars get the ids after it.</param>
    /// <param name="buffered">Hold output until <see cref="Flush"/>.</param>
    public TargetReporter(CmdletReporter pipeline, string name, int progressBase, bool buffered)
    {
        _pipeline = pipeline;
        _buffered = buffered;
        _progressBase = progressBase;
        _prefix = $"[{name}] ";
    }

    /// <summary>The id of this target's own bar (a child of the call's bar).</summary>
    public int ProgressId => _progressBase;

    public bool WritesVerbose => _pipeline.WritesVerbose;

    public void Verbose(string message)
    {
        if (_pipeline.WritesVerbose)
            Queue(c => c.WriteVerbose(_prefix + message));
    }

    public void Debug(string message)
    {
        if (_pipeline.WritesDebug)
            Queue(c => c.WriteDebug(_prefix + message));
    }

    public void Warning(string message) => Queue(c => c.WriteWarning(_prefix + message));

    public void Information(string message) =>
        Queue(c => c.WriteInformation(new InformationRecord(_prefix + message, "North"), ["North"]));

    public void Progress(ProgressReport report) => _pipeline.Progress(report with
    {
        Id = ChildId(report.Id),
        ParentId = report.ParentId < 0 ? _progressBase : ChildId(report.ParentId),
    });

    /// <summary>Queues an action for the pipeline thread, in this target's order.</summary>
    public void Queue(Action<Cmdlet> write)
    {
        if (!_buffered)
        {
            _pipeline.Post(write);
            return;
        }
        lock (_held)
        {
            _held.Add(write);
        }
    }

    /// <summary>Sends what was held to the pipeline thread, as one block.</summary>
    public void Flush()
    {
        Action<Cmdlet>[] held;
        lock (_held)
        {
            held = _held.ToArray();
            _held.Clear();
        }
        if (held.Length > 0)
        {
            _pipeline.Post(c =>
            {
                foreach (var write in held)
                {
                    write(c);
                }
            });
        }
    }

    // The core numbers its bars from 1; each target has ids for eight.
    private int ChildId(int id) => _progressBase + 1 + (Math.Abs(id) % 8);
}
