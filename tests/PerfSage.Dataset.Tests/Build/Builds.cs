namespace PerfSage.Dataset.Tests.Build;

/// <summary>Small builds shared by the tests: kws models are the cheapest to make.</summary>
internal static class Builds
{
    public static readonly string[] TwoTargets = ["cortex-m4", "ethos-u55-128"];

    public static BuildRequest Kws(int count, ulong seed = 3, ShardSet? shard = null) =>
        new("kws", count, TwoTargets) { Seed = seed, Shard = shard };

    public static BuildResult Run(BuildRequest request, string dir, int jobs = 2, IProgress<BuildProgress>? progress = null,
        CancellationToken cancel = default) =>
        DatasetBuilder.Build(request, dir, new BuildOptions { Jobs = jobs, Progress = progress }, cancel);
}
