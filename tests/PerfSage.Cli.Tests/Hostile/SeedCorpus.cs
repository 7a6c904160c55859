using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Tests.Common;
using PerfSage.Tflite;

namespace PerfSage.Cli.Tests.Hostile;

/// <summary>
/// The valid models the hostile suite mutates. <see cref="Bundled"/> needs nothing outside the repository: the
/// example models in <c>models/examples</c> (rebuilt by the project's writer when the folder is missing) and a
/// few networks from every dataset search space, drawn with fixed seeds and written by the dataset builder's
/// exporter. <see cref="Shared"/> adds small real models from <c>../shared/models</c> when that folder exists.
/// </summary>
internal static class SeedCorpus
{
    /// <summary>The sample seed the search-space seeds are drawn under.</summary>
    public const ulong SpaceSeed = 1111;

    /// <summary>Samples per space.</summary>
    public const int PerSpace = 3;

    /// <summary>Seeds larger than this are left out: mutants are run thousands of times, and the rules under test
    /// do not depend on a model's size.</summary>
    public const int MaxSeedBytes = 256 * 1024;

    private static readonly Lazy<IReadOnlyList<SeedModel>> BundledSeeds = new(BuildBundled);

    public static IReadOnlyList<SeedModel> Bundled => BundledSeeds.Value;

    private static List<SeedModel> BuildBundled()
    {
        var seeds = new List<SeedModel>();
        string examples = Path.Combine(SharedData.RepoRoot, "models", "examples");
        List<string> files = Directory.Exists(examples)
            ? [.. Directory.EnumerateFiles(examples, "*.tflite").Order(StringComparer.Ordinal)]
            : [];
        foreach (string file in files)
        {
            seeds.Add(new SeedModel("example:" + Path.GetFileNameWithoutExtension(file), File.ReadAllBytes(file)));
        }
        if (files.Count == 0)
        {
            seeds.Add(new SeedModel("example:kws_dscnn_int8 (rebuilt)", ExampleModels.WriteKwsDsCnnInt8()));
        }
        foreach (ISearchSpace space in SearchSpaces.All)
        {
            int taken = 0;
            for (long index = 0; taken < PerSpace && index < PerSpace * 4; index++)
            {
                SpaceSample sample = space.Sample(SpaceSeed, index);
                byte[] bytes = GraphExporter.Write(sample.Graph, (int)index + 1);
                if (bytes.Length <= MaxSeedBytes)
                {
                    seeds.Add(new SeedModel($"space:{sample.ModelId}", bytes));
                    taken++;
                }
            }
        }
        return seeds;
    }

    /// <summary>Small real models from <c>../shared/models</c> that the reader accepts (sorted by path, at most
    /// <paramref name="max"/>), or null when the folder is absent.</summary>
    public static IReadOnlyList<SeedModel>? Shared(int max)
    {
        string? root = SharedData.RootOrNull;
        if (root is null)
        {
            return null;
        }
        string models = Path.Combine(root, "models");
        var seeds = new List<SeedModel>();
        foreach (string file in Directory.EnumerateFiles(models, "*.tflite", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (seeds.Count >= max || file.Contains("_negative", StringComparison.Ordinal) || file.Contains("_not_tflite", StringComparison.Ordinal)
                || new FileInfo(file).Length > MaxSeedBytes)
            {
                continue;
            }
            try
            {
                seeds.Add(new SeedModel("shared:" + Path.GetRelativePath(root, file), File.ReadAllBytes(file)));
            }
            catch (TfliteFormatException)
            {
                // A real model this reader refuses is not a seed (the reader's own tests cover it).
            }
        }
        return seeds;
    }
}
