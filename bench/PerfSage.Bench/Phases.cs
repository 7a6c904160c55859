using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.Tflite;

namespace PerfSage.Bench;

/// <summary>The phases the benchmark times, in pipeline order.</summary>
internal static class Phases
{
    public static IReadOnlyList<Phase> All { get; } =
    [
        new Phase("parse", bytes => TfliteReader.Parse(bytes, "bench")),
        new Phase("parse+graph", bytes => BuildGraph(bytes)),
        new Phase("+arena plan", bytes => BuildGraph(bytes) is OpGraph g ? ArenaPlanner.Plan(g) : bytes),
        new Phase("+featurize", bytes => BuildGraph(bytes) is OpGraph g ? Featurizer.Featurize(g) : bytes),
    ];

    /// <summary>Parse and build the main subgraph's OpGraph (models without a subgraph stop after parsing).</summary>
    private static object BuildGraph(byte[] bytes)
    {
        TfliteModel model = TfliteReader.Parse(bytes, "bench");
        return model.Subgraphs.Count == 0 ? model : OpGraph.FromModel(model);
    }
}
