//! The open vocabularies of CACAO 2.0.
//!
//! An open vocabulary (`*-ov` in the specification) lists the values producers SHOULD use, but any
//! string is legal. Each one is an enum with a variant per listed value and `Other` for the rest,
//! so code can match on the known values and still round-trip anything it does not know.

use crate::open_vocabulary;

open_vocabulary! {
    /// `playbook-type-ov` (CACAO 2.0 section 3.1.1).
    pub enum PlaybookType {
        /// `attack`
        Attack = "attack",
        /// `detection`
        Detection = "detection",
        /// `engagement`
        Engagement = "engagement",
        /// `investigation`
        Investigation = "investigation",
        /// `mitigation`
        Mitigation = "mitigation",
        /// `notification`
        Notification = "notification",
        /// `prevention`
        Prevention = "prevention",
        /// `remediation`
        Remediation = "remediation",
    }
}

open_vocabulary! {
    /// `playbook-activity-type-ov` (CACAO 2.0 section 3.1.2).
    pub enum PlaybookActivity {
        /// `compose-content`
        ComposeContent = "compose-content",
        /// `deliver-content`
        DeliverContent = "deliver-content",
        /// `identify-audience`
        IdentifyAudience = "identify-audience",
        /// `identify-channel`
        IdentifyChannel = "identify-channel",
        /// `scan-system`
        ScanSystem = "scan-system",
        /// `match-indicator`
        MatchIndicator = "match-indicator",
        /// `analyze-collected-data`
        AnalyzeCollectedData = "analyze-collected-data",
        /// `identify-indicators`
        IdentifyIndicators = "identify-indicators",
        /// `scan-vulnerabilities`
        ScanVulnerabilities = "scan-vulnerabilities",
        /// `configure-systems`
        ConfigureSystems = "configure-systems",
        /// `restrict-access`
        RestrictAccess = "restrict-access",
        /// `disconnect-system`
        DisconnectSystem = "disconnect-system",
        /// `eliminate-risk`
        EliminateRisk = "eliminate-risk",
        /// `revert-system`
        RevertSystem = "revert-system",
        /// `restore-data`
        RestoreData = "restore-data",
        /// `restore-capabilities`
        RestoreCapabilities = "restore-capabilities",
        /// `map-network`
        MapNetwork = "map-network",
        /// `identify-steps`
        IdentifySteps = "identify-steps",
        /// `step-sequence`
        StepSequence = "step-sequence",
        /// `prepare-engagement`
        PrepareEngagement = "prepare-engagement",
        /// `execute-operation`
        ExecuteOperation = "execute-operation",
        /// `analyze-engagement-results`
        AnalyzeEngagementResults = "analyze-engagement-results",
    }
}

open_vocabulary! {
    /// `command-type-ov` (CACAO 2.0 section 5).
    pub enum CommandType {
        /// A task for a human (`manual`).
        Manual = "manual",
        /// A local shell command (`bash`).
        Bash = "bash",
        /// A Caldera ability (`caldera-cmd`).
        CalderaCmd = "caldera-cmd",
        /// An Elasticsearch query (`elastic`).
        Elastic = "elastic",
        /// An HTTP request (`http-api`).
        HttpApi = "http-api",
        /// A Jupyter notebook (`jupyter`).
        Jupyter = "jupyter",
        /// A Kestrel hunt (`kestrel`).
        Kestrel = "kestrel",
        /// An OpenC2 command over HTTPS (`openc2-http`).
        Openc2Http = "openc2-http",
        /// A PowerShell command or script (`powershell`).
        Powershell = "powershell",
        /// A Sigma rule (`sigma`).
        Sigma = "sigma",
        /// A command run over SSH (`ssh`).
        Ssh = "ssh",
        /// A YARA rule (`yara`).
        Yara = "yara",
    }
}

open_vocabulary! {
    /// `agent-target-type-ov` (CACAO 2.0 section 7).
    pub enum AgentTargetType {
        /// `group`
        Group = "group",
        /// `individual`
        Individual = "individual",
        /// `location`
        Location = "location",
        /// `organization`
        Organization = "organization",
        /// `sector`
        Sector = "sector",
        /// `http-api`
        HttpApi = "http-api",
        /// `linux`
        Linux = "linux",
        /// `net-address`
        NetAddress = "net-address",
        /// `security-category`
        SecurityCategory = "security-category",
        /// `ssh`
        Ssh = "ssh",
    }
}

open_vocabulary! {
    /// `authentication-info-type-ov` (CACAO 2.0 section 6).
    pub enum AuthenticationInfoType {
        /// HTTP basic authentication (RFC 7617).
        HttpBasic = "http-basic",
        /// An OAuth 2.0 bearer token.
        Oauth2 = "oauth2",
        /// A user name and password.
        UserAuth = "user-auth",
    }
}

open_vocabulary! {
    /// `variable-type-ov` (CACAO 2.0 section 10.18.3).
    pub enum VariableType {
        /// `bool`
        Bool = "bool",
        /// `dictionary`
        Dictionary = "dictionary",
        /// `float`
        Float = "float",
        /// `hexstring`
        Hexstring = "hexstring",
        /// `integer`
        Integer = "integer",
        /// `ipv4-addr`
        Ipv4Addr = "ipv4-addr",
        /// `ipv6-addr`
        Ipv6Addr = "ipv6-addr",
        /// `long`
        Long = "long",
        /// `mac-addr`
        MacAddr = "mac-addr",
        /// `hash`
        Hash = "hash",
        /// `md5-hash`
        Md5Hash = "md5-hash",
        /// `sha256-hash`
        Sha256Hash = "sha256-hash",
        /// `string`
        String = "string",
        /// `uri`
        Uri = "uri",
        /// `uuid`
        Uuid = "uuid",
    }
}

open_vocabulary! {
    /// `industry-sector-ov` (CACAO 2.0 section 7.7.1).
    pub enum IndustrySector {
        /// `aerospace`
        Aerospace = "aerospace",
        /// `aviation`
        Aviation = "aviation",
        /// `agriculture`
        Agriculture = "agriculture",
        /// `automotive`
        Automotive = "automotive",
        /// `biotechnology`
        Biotechnology = "biotechnology",
        /// `chemical`
        Chemical = "chemical",
        /// `commercial`
        Commercial = "commercial",
        /// `consulting`
        Consulting = "consulting",
        /// `construction`
        Construction = "construction",
        /// `cosmetics`
        Cosmetics = "cosmetics",
        /// `critical-infrastructure`
        CriticalInfrastructure = "critical-infrastructure",
        /// `dams`
        Dams = "dams",
        /// `defense`
        Defense = "defense",
        /// `education`
        Education = "education",
        /// `emergency-services`
        EmergencyServices = "emergency-services",
        /// `energy`
        Energy = "energy",
        /// `non-renewable-energy`
        NonRenewableEnergy = "non-renewable-energy",
        /// `renewable-energy`
        RenewableEnergy = "renewable-energy",
        /// `media`
        Media = "media",
        /// `financial`
        Financial = "financial",
        /// `food`
        Food = "food",
        /// `gambling`
        Gambling = "gambling",
        /// `government`
        Government = "government",
        /// `local-government`
        LocalGovernment = "local-government",
        /// `national-government`
        NationalGovernment = "national-government",
        /// `regional-government`
        RegionalGovernment = "regional-government",
        /// `public-services`
        PublicServices = "public-services",
        /// `healthcare`
        Healthcare = "healthcare",
        /// `information-communications-technology`
        InformationCommunicationsTechnology = "information-communications-technology",
        /// `electronics-hardware`
        ElectronicsHardware = "electronics-hardware",
        /// `software`
        Software = "software",
        /// `telecommunications`
        Telecommunications = "telecommunications",
        /// `legal-services`
        LegalServices = "legal-services",
        /// `lodging`
        Lodging = "lodging",
        /// `manufacturing`
        Manufacturing = "manufacturing",
        /// `maritime`
        Maritime = "maritime",
        /// `metals`
        Metals = "metals",
        /// `mining`
        Mining = "mining",
        /// `non-profit`
        NonProfit = "non-profit",
        /// `humanitarian-aid`
        HumanitarianAid = "humanitarian-aid",
        /// `human-rights`
        HumanRights = "human-rights",
        /// `nuclear`
        Nuclear = "nuclear",
        /// `petroleum`
        Petroleum = "petroleum",
        /// `pharmaceuticals`
        Pharmaceuticals = "pharmaceuticals",
        /// `research`
        Research = "research",
        /// `transportation`
        Transportation = "transportation",
        /// `logistics-shipping`
        LogisticsShipping = "logistics-shipping",
        /// `utilities`
        Utilities = "utilities",
        /// `video-game`
        VideoGame = "video-game",
        /// `water`
        Water = "water",
    }
}

open_vocabulary! {
    /// `security-category-type-ov` (CACAO 2.0 section 7.11.1).
    pub enum SecurityCategory {
        /// `aaa`
        Aaa = "aaa",
        /// `analytics`
        Analytics = "analytics",
        /// `caldera`
        Caldera = "caldera",
        /// `content-gateway`
        ContentGateway = "content-gateway",
        /// `desktop`
        Desktop = "desktop",
        /// `endpoint`
        Endpoint = "endpoint",
        /// `firewall`
        Firewall = "firewall",
        /// `handset`
        Handset = "handset",
        /// `ids`
        Ids = "ids",
        /// `ips`
        Ips = "ips",
        /// `kali`
        Kali = "kali",
        /// `manx`
        Manx = "manx",
        /// `orchestrator`
        Orchestrator = "orchestrator",
        /// `os-linux`
        OsLinux = "os-linux",
        /// `os-mac`
        OsMac = "os-mac",
        /// `os-windows`
        OsWindows = "os-windows",
        /// `redcanary-atomicred`
        RedcanaryAtomicred = "redcanary-atomicred",
        /// `ragdoll`
        Ragdoll = "ragdoll",
        /// `router`
        Router = "router",
        /// `sandcat`
        Sandcat = "sandcat",
        /// `server`
        Server = "server",
        /// `siem`
        Siem = "siem",
        /// `switch`
        Switch = "switch",
        /// `ticketing`
        Ticketing = "ticketing",
        /// `tip`
        Tip = "tip",
        /// `wireless`
        Wireless = "wireless",
    }
}

open_vocabulary! {
    /// `signature-algorithm-type-ov` (CACAO 2.0 section 10.15).
    pub enum SignatureAlgorithm {
        /// RSASSA-PKCS1-v1_5 with SHA-256.
        Rs256 = "RS256",
        /// RSASSA-PKCS1-v1_5 with SHA-384.
        Rs384 = "RS384",
        /// RSASSA-PKCS1-v1_5 with SHA-512.
        Rs512 = "RS512",
        /// ECDSA P-256 with SHA-256.
        Es256 = "ES256",
        /// ECDSA P-384 with SHA-384.
        Es384 = "ES384",
        /// ECDSA P-521 with SHA-512.
        Es512 = "ES512",
        /// RSASSA-PSS with SHA-256.
        Ps256 = "PS256",
        /// RSASSA-PSS with SHA-384.
        Ps384 = "PS384",
        /// RSASSA-PSS with SHA-512.
        Ps512 = "PS512",
        /// Ed25519.
        Ed25519 = "Ed25519",
        /// Ed448.
        Ed448 = "Ed448",
        /// XMSS with SHA-256, height 10.
        XmssSha2_10_256 = "XMSS-SHA2_10_256",
        /// XMSS with SHA-256, height 16.
        XmssSha2_16_256 = "XMSS-SHA2_16_256",
        /// XMSS with SHA-256, height 20.
        XmssSha2_20_256 = "XMSS-SHA2_20_256",
        /// LMS with SHA-256, M32, H5.
        LmsSha256M32H5 = "LMS_SHA256_M32_H5",
        /// LMS with SHA-256, M32, H10.
        LmsSha256M32H10 = "LMS_SHA256_M32_H10",
        /// LMS with SHA-256, M32, H15.
        LmsSha256M32H15 = "LMS_SHA256_M32_H15",
        /// LMS with SHA-256, M32, H20.
        LmsSha256M32H20 = "LMS_SHA256_M32_H20",
        /// LMS with SHA-256, M32, H25.
        LmsSha256M32H25 = "LMS_SHA256_M32_H25",
    }
}
