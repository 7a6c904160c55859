using PerfSage.Tflite;

namespace PerfSage.Bench;

/// <summary>The phases the benchmark times, in pipeline order.</summary>
internal static class Phases
{
    public static IReadOnlyList<Phase> All { get; } =
    [
        new Phase("parse", bytes => TfliteReader.Parse(bytes, "bench")),
        // e.g. new Phase("parse+graph", bytes => OpGraph.FromModel(TfliteReader.Parse(bytes))),
    ];
}
