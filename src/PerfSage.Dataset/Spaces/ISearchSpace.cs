namespace PerfSage.Dataset.Spaces;

/// <summary>
/// A family of networks a dataset is drawn from. <see cref="Sample"/> is a pure function of
/// (space, seed, index): the same arguments give the same graph on every machine and run, and samples can
/// be drawn in any order, in parallel. Every sample fits <see cref="Budget"/>.
/// </summary>
public interface ISearchSpace
{
    /// <summary>The registry name (<c>kws</c>), also the model id prefix.</summary>
    string Name { get; }

    /// <summary>One line on what the networks are.</summary>
    string Description { get; }

    /// <summary>The knobs and their ranges; each sample records a value for each.</summary>
    IReadOnlyList<Knob> Knobs { get; }

    /// <summary>Target families the networks are meant for (<c>cortex-m</c>, <c>ethos-u</c>, <c>mobile-gpu</c>).</summary>
    IReadOnlyList<string> IntendedFamilies { get; }

    /// <summary>The memory every sample fits.</summary>
    MemoryBudget Budget { get; }

    /// <summary>Sample <paramref name="index"/> (≥ 0) under <paramref name="seed"/>.</summary>
    SpaceSample Sample(ulong seed, long index);
}
