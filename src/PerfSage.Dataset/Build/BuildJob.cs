namespace PerfSage.Dataset;

/// <summary>One model a build must end with: its place in the dataset's order and its id.</summary>
internal readonly record struct JobItem(long Order, string ModelId);

/// <summary>A finished model before it is written: its journal record and its <c>.tflite</c> bytes.</summary>
internal sealed record ProducedModel(ModelRecord Record, ReadOnlyMemory<byte> Graph);

/// <summary>
/// What a resumable build makes (see <see cref="Journal"/>): the arguments that identify it, the models it
/// must end with, and how to make one. <see cref="Produce"/> must be a pure function of the item, and
/// thread-safe.
/// </summary>
internal abstract class BuildJob
{
    public abstract BuildInfo Info { get; }

    public abstract IReadOnlyList<JobItem> Items { get; }

    public abstract ProducedModel Produce(JobItem item);

    /// <summary>Whether a record found in the folder is one this job would make: by default its labels are for
    /// distinct targets of <see cref="BuildInfo.Targets"/> (a measured table may leave cells empty).</summary>
    public virtual bool Accepts(ModelRecord record)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return record.Labels.All(l => Info.Targets.Contains(l.Target) && seen.Add(l.Target));
    }

    /// <summary>Checks run before anything is written (e.g. a merge's output must not be
    /// one of its inputs).</summary>
    public virtual void Validate(string directory)
    {
    }
}
