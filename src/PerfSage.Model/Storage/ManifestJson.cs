using System.Text.Json;
using System.Text.Json.Serialization;

namespace PerfSage.Model;

/// <summary>JSON settings of the model folder files: snake_case names, indented, no comments.</summary>
internal static class ManifestJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };
}
