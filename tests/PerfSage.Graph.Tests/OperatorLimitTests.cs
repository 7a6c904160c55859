using System.Collections;
using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Graph.Tests;

/// <summary>A graph of more than <see cref="Limits.MaxOperators"/> operators is refused before it is built (issue #11,
/// item 15).</summary>
public class OperatorLimitTests
{
    [Fact]
    public void A_subgraph_of_one_more_operator_than_the_limit_is_refused_naming_the_model_and_the_limit()
    {
        Assert.Equal(1_000_000, Limits.MaxOperators);
        var op = new Operator { OpcodeIndex = 0, Inputs = [0], Outputs = [1] };
        TfliteModel model = Model(new RepeatedList<Operator>(op, Limits.MaxOperators + 1));

        OpGraphException e = Assert.Throws<OpGraphException>(() => OpGraph.FromModel(model));

        Assert.Equal("huge.tflite: subgraphs[0] has 1,000,001 operators; PerfSage analyses at most 1,000,000 (Limits.MaxOperators)", e.Message);
    }

    [Fact]
    public void A_subgraph_within_the_limit_is_built()
    {
        var op = new Operator { OpcodeIndex = 0, Inputs = [0], Outputs = [1] };
        OpGraph graph = OpGraph.FromModel(Model([op]));
        Assert.Single(graph.Nodes);
        Assert.Equal("RELU", graph.Nodes[0].TypeName);
    }

    private static TfliteModel Model(IReadOnlyList<Operator> operators) => new()
    {
        Bytes = ReadOnlyMemory<byte>.Empty,
        SourceName = "huge.tflite",
        Version = 3,
        OperatorCodes = [new OperatorCode((int)BuiltinOperator.RELU, null, 1)],
        Subgraphs =
        [
            new Subgraph
            {
                Name = "main",
                Tensors =
                [
                    new Tensor { Name = "x", Shape = [1, 4], Type = TensorType.Float32, Buffer = 0 },
                    new Tensor { Name = "y", Shape = [1, 4], Type = TensorType.Float32, Buffer = 0 },
                ],
                Operators = operators,
                Inputs = [0],
                Outputs = [1],
            },
        ],
        Buffers = [new TfliteBuffer(ReadOnlyMemory<byte>.Empty, 0, 0)],
        SignatureDefs = [],
        Metadata = [],
    };

    /// <summary>A list of <paramref name="count"/> references to one item: a huge operator list without the memory.</summary>
    private sealed class RepeatedList<T>(T item, int count) : IReadOnlyList<T>
    {
        public T this[int index] => (uint)index < (uint)count ? item : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => count;

        public IEnumerator<T> GetEnumerator()
        {
            for (int i = 0; i < count; i++)
            {
                yield return item;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
