import Foundation
import PhotoModel

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A small namespace-aware element tree, built with XMLParser (libxml2 underneath).
final class XMLElementNode {
    let namespace: String
    let name: String
    var attributes: [(namespace: String, name: String, value: String)] = []
    var children: [XMLElementNode] = []
    var text = ""

    init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    func attribute(_ namespace: String, _ name: String) -> String? {
        attributes.first { $0.namespace == namespace && $0.name == name }?.value
    }

    /// Every descendant (depth first) with this name.
    func descendants(_ namespace: String, _ name: String) -> [XMLElementNode] {
        var found: [XMLElementNode] = []
        var stack: [XMLElementNode] = [self]
        while let node = stack.popLast() {
            if node.namespace == namespace && node.name == name { found.append(node) }
            stack.append(contentsOf: node.children.reversed())
        }
        return found
    }

    /// Parses a document; nil when it is not well-formed.
    static func parse(_ data: Data) -> XMLElementNode? {
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), builder.depthLimitExceeded == false else { return nil }
        return builder.root
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var root: XMLElementNode?
    var stack: [XMLElementNode] = []
    var depthLimitExceeded = false
    private static let maximumDepth = 64

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        guard stack.count < TreeBuilder.maximumDepth else {
            depthLimitExceeded = true
            parser.abortParsing()
            return
        }
        let node = XMLElementNode(namespace: namespaceURI ?? "", name: elementName)
        for (key, value) in attributes {
            node.attributes.append(TreeBuilder.split(key, value: value))
        }
        if let parent = stack.last { parent.children.append(node) } else { root = node }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        _ = stack.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
    }

    /// Attribute keys arrive as "{uri}name" on some platforms and as "prefix:name" on others.
    private static let knownPrefixes: [String: String] = Dictionary(
        uniqueKeysWithValues: XMPNamespace.prefixes.map { ($0.value, $0.key) }
    )
    .merging(["xml": "http://www.w3.org/XML/1998/namespace"]) { first, _ in first }

    private static func split(_ key: String, value: String) -> (namespace: String, name: String, value: String) {
        if key.hasPrefix("{"), let close = key.firstIndex(of: "}") {
            return (
                String(key[key.index(after: key.startIndex)..<close]), String(key[key.index(after: close)...]), value
            )
        }
        if let colon = key.firstIndex(of: ":") {
            let prefix = String(key[..<colon])
            return (knownPrefixes[prefix] ?? prefix, String(key[key.index(after: colon)...]), value)
        }
        return ("", key, value)
    }
}
