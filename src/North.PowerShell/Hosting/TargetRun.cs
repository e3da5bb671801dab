using System.Management.Automation;
using North.Core.Migrating;
using North.Core.Reporting;
using North.Core.Targets;

namespace North.PowerShell.Hosting;

/// <summary>
/// What a cmdlet's work on one target is given: the target's migrator and reporter, its identity,
/// and the two things it may ask of the pipeline thread: write an object (stamped with Server and
/// Database) and ask ShouldProcess.
/// </summary>
internal sealed class TargetRun
{
    private readonly Action<Action<Cmdlet>> _queue;
    private readonly CmdletReporter _pipeline;
    private readonly bool _fleetView;

    /// <param name="target">The target as the caller named it.</param>
    /// <param name="migrator">The target's migrator.</param>
    /// <param name="identity">Its Server and Database.</param>
    /// <param name="reporter">Its reports (queued and named when the call has several targets).</param>
    /// <param name="pipeline">The call's queue to the pipeline thread (ShouldProcess goes there).</param>
    /// <param name="queue">Where its objects go, in its order.</param>
    /// <param name="fleetView">Objects get the <c>North.Fleet.</c> type name first, whose views group or show the database.</param>
    public TargetRun(DatabaseTarget target, Migrator migrator, TargetIdentity identity, IReporter reporter, CmdletReporter pipeline, Action<Action<Cmdlet>> queue, bool fleetView = false)
    {
        _fleetView = fleetView;
        Target = target;
        Migrator = migrator;
        Identity = identity;
        Reporter = reporter;
        _pipeline = pipeline;
        _queue = queue;
    }

    /// <summary>The target as the caller named it (the key of what was piped for it).</summary>
    public DatabaseTarget Target { get; }

    public Migrator Migrator { get; }

    public TargetIdentity Identity { get; }

    public IReporter Reporter { get; }

    /// <summary>Writes <paramref name="item"/> to the pipeline, with this target's Server and Database.</summary>
    public void Write(object item)
    {
        object stamped = Identity.Stamp(item);
        if (_fleetView && !ReferenceEquals(stamped, item))
        {
            var wrapped = new PSObject(stamped);
            wrapped.TypeNames.Insert(0, "North.Fleet." + stamped.GetType().Name);
            stamped = wrapped;
        }
        _queue(c => c.WriteObject(stamped));
    }

    /// <summary>ShouldProcess, asked on the pipeline thread (-WhatIf and -Confirm are answered there).</summary>
    public bool ShouldProcess(string target, string action) => _pipeline.InvokeOnPipeline(c => c.ShouldProcess(target, action));
}
