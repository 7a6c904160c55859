using PerfSage.Targets;

namespace PerfSage.Dataset;

/// <summary>
/// What <c>perfsage dataset build</c> makes: <paramref name="Count"/> models of search space
/// <paramref name="Space"/> (sample <c>i</c> for <c>i</c> in 0 … Count−1, a pure function of space, seed and
/// <c>i</c>), each labelled by the reference estimator of every target in <paramref name="Targets"/>.
/// </summary>
/// <param name="Space">A name of <see cref="Spaces.SearchSpaces"/>.</param>
/// <param name="Count">Models of the whole build (all shards together), at least 1.</param>
/// <param name="Targets">Catalog target ids (case-insensitive); duplicates are ignored.</param>
public sealed record BuildRequest(string Space, int Count, IReadOnlyList<string> Targets)
{
    /// <summary>The sampling seed.</summary>
    public ulong Seed { get; init; }

    /// <summary>Build only this shard (<see cref="ShardSet.One"/>): the samples <c>i</c> with
    /// <c>i mod n == shard</c>. Null for the whole build.</summary>
    public ShardSet? Shard { get; init; }

    /// <summary>Write weightless graph files (<see cref="Tflite.TfliteModel.IsWeightless"/>): the labels are the
    /// same, the folder a fraction of the size, the files cannot be run.</summary>
    public bool Weightless { get; init; }

    /// <summary>Board presets (<c>dataset build --board</c>) to label for instead of <see cref="Targets"/>: each model is
    /// labelled with <see cref="BoardEstimator"/> and the label's target is the board id.</summary>
    public IReadOnlyList<string> Boards { get; init; } = [];
}

/// <summary>How a build runs (nothing here changes what it produces).</summary>
public sealed record BuildOptions
{
    /// <summary>Worker threads; the number of processors by default.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>Receives the count of finished models after each one (on a worker thread).</summary>
    public IProgress<BuildProgress>? Progress { get; init; }

    /// <summary>The target catalog; the shipped one when null.</summary>
    public TargetCatalog? Catalog { get; init; }
}

/// <summary>Progress of a build.</summary>
/// <param name="Done">Models finished (found complete at the start, or built since).</param>
/// <param name="Total">Models this run must end with.</param>
/// <param name="Resumed">Models that were already complete when the run started.</param>
public readonly record struct BuildProgress(int Done, int Total, int Resumed);

/// <summary>What a build, merge or NB201 import did.</summary>
/// <param name="Directory">The dataset folder.</param>
/// <param name="Models">Models in the folder.</param>
/// <param name="Resumed">Models that were already complete.</param>
/// <param name="Built">Models made by this run.</param>
/// <param name="Labels">Rows of <c>labels.csv</c>.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record BuildResult(string Directory, int Models, int Resumed, int Built, int Labels, TimeSpan Elapsed);
