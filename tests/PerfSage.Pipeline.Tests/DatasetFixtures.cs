using PerfSage.Dataset;

namespace PerfSage.Pipeline.Tests;

/// <summary>Small dataset folders made with the dataset library, for the tests of the feature cache and the samples.</summary>
internal static class DatasetFixtures
{
    /// <summary>A generated kws dataset of <paramref name="count"/> models labelled for cortex-m7 (no splits.csv).</summary>
    public static string Built(ScratchFolder tmp, string name, int count)
    {
        string dir = tmp.Sub(name);
        DatasetBuilder.Build(new BuildRequest("kws", count, ["cortex-m7"]) { Seed = 5 }, dir, new BuildOptions { Jobs = 1 });
        return dir;
    }
}
