using PerfSage.Graph;

namespace PerfSage.Dataset.Tests.Build;

/// <summary>The operators, tensors and wiring of a graph as text lines, without quantisation parameters (the
/// exporter turns a builder graph's placeholder scales into real ones, so those differ after a round trip).</summary>
internal static class GraphStructure
{
    public static string[] Of(OpGraph g) =>
    [
        .. g.Tensors.Select(t => $"{t.Type} [{string.Join(',', t.Shape)}] {(t.IsConstant ? "const" : "")}"),
        .. g.Nodes.Select(n => $"{n.TypeName} in [{string.Join(',', n.Inputs)}] out [{string.Join(',', n.Outputs)}] {n.Attributes.FusedActivation}"),
        "inputs " + string.Join(',', g.Inputs),
        "outputs " + string.Join(',', g.Outputs),
    ];
}
