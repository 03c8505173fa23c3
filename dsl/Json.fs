/// JSON for configs and results. Every file the framework writes goes through these settings, so a
/// value written by one process reads back equal in another and serializes to the same text (run ids
/// hash that text, see RunStore).
module CommLab.Dsl.Json

open System
open System.Globalization
open System.IO
open Microsoft.FSharp.Reflection
open Newtonsoft.Json
open Newtonsoft.Json.Converters
open Newtonsoft.Json.Linq
open Newtonsoft.Json.Serialization

let private isOption (t: Type) =
    t.IsGenericType && t.GetGenericTypeDefinition() = typedefof<option<_>>

/// Writes `Some x` as `x` and `None` as `null`; Newtonsoft's default `{"Case":"Some","Fields":[x]}`
/// is noise in a config file that people read and diff.
type private OptionConverter() =
    inherit JsonConverter()

    override _.CanConvert t = isOption t

    override _.WriteJson(writer, value, serializer) =
        match value with
        | null -> writer.WriteNull()
        | some ->
            let _, fields = FSharpValue.GetUnionFields(some, some.GetType())
            serializer.Serialize(writer, fields[0])

    override _.ReadJson(reader, t, _, serializer) =
        // None is represented as null at runtime.
        if reader.TokenType = JsonToken.Null then
            null
        else
            let inner = serializer.Deserialize(reader, t.GetGenericArguments()[0])
            let someCase = FSharpType.GetUnionCases t |> Array.find (fun c -> c.Name = "Some")
            FSharpValue.MakeUnion(someCase, [| inner |])

let private isFieldlessUnion (t: Type) =
    FSharpType.IsUnion(t, true)
    && not (isOption t)
    && FSharpType.GetUnionCases(t, true) |> Array.forall (fun c -> c.GetFields().Length = 0)

/// Writes unions whose cases carry no data (`Adam | Sgd`) as the case name, like enums. Unions with
/// data keep Newtonsoft's `{"Case":..,"Fields":[..]}`, which round-trips.
type private FieldlessUnionConverter() =
    inherit JsonConverter()

    override _.CanConvert t = isFieldlessUnion t

    override _.WriteJson(writer, value, _) =
        match value with
        | null -> writer.WriteNull()
        | case ->
            let info, _ = FSharpValue.GetUnionFields(case, case.GetType(), true)
            writer.WriteValue info.Name

    override _.ReadJson(reader, t, _, _) =
        let cases = FSharpType.GetUnionCases(t, true)
        let name = match reader.Value with :? string as s -> s | _ -> ""
        match cases |> Array.tryFind (fun c -> c.Name = name) with
        | Some case -> FSharpValue.MakeUnion(case, [||], true)
        | None ->
            let valid = cases |> Array.map (fun c -> c.Name) |> String.concat ", "
            raise (JsonSerializationException(sprintf "%A is not a case of %s (expected one of: %s)" reader.Value t.Name valid))

/// Every field of an F# record must be present when reading. A results file written before a field
/// was added then fails loudly instead of loading the new field as 0 or null. Extra fields in the
/// file (a field was removed since) are ignored: that loses nothing the record could hold.
/// The exception: an option field marked `[<JsonProperty(NullValueHandling = NullValueHandling.Ignore)>]`
/// is left out when None and read as None when absent. Such a field was added after runs were stored,
/// and its None means exactly what those runs did: their configs serialize as before, so they keep
/// their run ids.
type private RecordFieldsRequired() =
    inherit DefaultContractResolver()

    override _.CreateProperties(t, memberSerialization) =
        let properties = base.CreateProperties(t, memberSerialization)
        if FSharpType.IsRecord(t, true) then
            for p in properties do
                p.Required <-
                    if p.NullValueHandling = Nullable NullValueHandling.Ignore && (match p.PropertyType with null -> false | t -> isOption t) then Required.Default
                    else Required.AllowNull
        properties

/// The settings used for every config and result file: indented, invariant culture, floats written
/// round-trip (Newtonsoft uses the shortest "R" form), F# options as value-or-null, data-less unions
/// and enums as their names.
let settings: JsonSerializerSettings =
    let s =
        JsonSerializerSettings(
            Formatting = Formatting.Indented,
            Culture = CultureInfo.InvariantCulture,
            FloatParseHandling = FloatParseHandling.Double,
            NullValueHandling = NullValueHandling.Include,
            ContractResolver = RecordFieldsRequired()
        )
    s.Converters.Add(OptionConverter())
    s.Converters.Add(FieldlessUnionConverter())
    s.Converters.Add(StringEnumConverter())
    s

/// Serializes a value with `settings`. Lines end in "\n" on every OS, so the text (and a run id
/// hashed from it) is the same on Windows and Linux.
let serialize (value: 'T) : string =
    use writer = new StringWriter(CultureInfo.InvariantCulture, NewLine = "\n")
    JsonSerializer.Create(settings).Serialize(writer, value, typeof<'T>)
    writer.ToString()

/// `value` serialized as `serialize` does, as a JSON object with `extra` fields appended: a run's
/// config with its provenance beside it, where reading the file back as the config ignores the extra.
let serializeWith (value: 'T) (extra: (string * obj) list) : string =
    let serializer = JsonSerializer.Create settings
    let json = JObject.FromObject(value, serializer)
    for name, v in extra do
        json.Add(name, JToken.FromObject(v, serializer))
    use writer = new StringWriter(CultureInfo.InvariantCulture, NewLine = "\n")
    serializer.Serialize(writer, json)
    writer.ToString()

/// Reads a value written by `serialize`. Throws a JsonException naming the problem (for example a
/// missing record field); callers that read files add the file name.
let deserialize<'T> (json: string) : 'T =
    use reader = new StringReader(json)
    match JsonSerializer.Create(settings).Deserialize(reader, typeof<'T>) with
    | :? 'T as value -> value
    | null when isNull (box Unchecked.defaultof<'T>) -> Unchecked.defaultof<'T>
    | null -> raise (JsonSerializationException(sprintf "expected a %s, found null" typeof<'T>.Name))
    | other -> raise (JsonSerializationException(sprintf "expected a %s, found a %s" typeof<'T>.Name (other.GetType().Name)))
